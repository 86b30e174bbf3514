import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Not infra/lambda.ts's REPO_ROOT: that module loads aws-cdk-lib, and the health check must be quick. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Where LocalStack listens: the same AWS_ENDPOINT_URL every AWS SDK and cdklocal read. */
export const LOCALSTACK_ENDPOINT = (process.env.AWS_ENDPOINT_URL ?? 'http://localhost:4566').replace(
  /\/$/,
  '',
);
/** What `npm run deploy:localstack` leaves for the e2e suite: the API URL and the raw stack outputs. */
export const OUTPUTS_FILE = resolve(REPO_ROOT, '.local/localstack-outputs.json');

/**
 * The environment of every LocalStack command: the standard variables only (endpoint, region,
 * LocalStack's dummy credentials), so the handlers and the SDK take the same code path as on AWS.
 */
export const localstackEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_ENDPOINT_URL: LOCALSTACK_ENDPOINT,
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_DEFAULT_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
});

const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Fails fast (a couple of seconds, exit 1) with what to do when LocalStack does not answer its
 * health check: these commands need Docker and a LocalStack auth token, which CI machines lack.
 */
export const requireLocalStack = async (): Promise<void> => {
  const url = `${LOCALSTACK_ENDPOINT}/_localstack/health`;
  let problem: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    if (response.ok) return;
    problem = `HTTP ${response.status}`;
  } catch (error) {
    problem = (error as Error).cause
      ? String((error as Error & { cause: Error }).cause.message)
      : (error as Error).message;
  }
  console.error(`LocalStack is not reachable at ${LOCALSTACK_ENDPOINT} (${url}: ${problem}).
Start it first (needs Docker and LOCALSTACK_AUTH_TOKEN):
  docker compose -f localstack/docker-compose.yml up -d
or point AWS_ENDPOINT_URL at a running LocalStack. These commands are opt-in and not part of CI.`);
  process.exit(1);
};

export interface LocalStackOutputs {
  readonly apiUrl: string;
  readonly stackName: string;
  readonly outputs: Record<string, string>;
}

export const writeOutputs = (value: LocalStackOutputs): void => {
  mkdirSync(dirname(OUTPUTS_FILE), { recursive: true });
  writeFileSync(OUTPUTS_FILE, `${JSON.stringify(value, null, 2)}\n`);
};

export const readOutputs = (): LocalStackOutputs => {
  try {
    return JSON.parse(readFileSync(OUTPUTS_FILE, 'utf8')) as LocalStackOutputs;
  } catch {
    console.error(`No ${OUTPUTS_FILE}: run \`npm run deploy:localstack\` first.`);
    process.exit(1);
  }
};

/**
 * LocalStack serves a REST API at `<endpoint>/restapis/<id>/<stage>/_user_request_`, whatever host
 * CloudFormation reports: that form needs no wildcard DNS.
 */
export const localstackApiUrl = (awsStyleUrl: string): string => {
  const match = /^https?:\/\/([^.]+)\.execute-api\.[^/]+\/([^/]+)/.exec(awsStyleUrl);
  if (!match) throw new Error(`not an API Gateway URL: ${awsStyleUrl}`);
  return `${LOCALSTACK_ENDPOINT}/restapis/${match[1]}/${match[2]}/_user_request_`;
};
