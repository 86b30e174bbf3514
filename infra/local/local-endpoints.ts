import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

/**
 * Where a running `npm start` says what it serves (`.local/endpoints.json`, removed when it stops),
 * so that the AWS CLI, an SDK script or NoSQL Workbench can be pointed at it without reading the
 * process table. Only node:fs and node:path: `npm start -- --print-env` reads it before anything
 * heavy loads.
 */
export interface LocalEndpoints {
  /** The stack's process: a file whose process is gone is stale. */
  readonly pid: number;
  readonly startedAt: string;
  readonly region: string;
  /** The app's REST API. */
  readonly api: string;
  readonly dynamodb: {
    readonly endpoint: string;
    readonly engine: string;
    /** false for DynamoDB Local, which listens on every interface (docs/local-stack.md, "Network"). */
    readonly loopbackOnly: boolean;
  };
  readonly s3: string;
  readonly stepFunctions: string;
  readonly eventBridge: string;
  /** What an AWS tool needs to reach these services: endpoints, region, placeholder credentials. */
  readonly environment: Readonly<Record<string, string>>;
  /** Definition name → state machine ARN. */
  readonly stateMachines: Readonly<Record<string, string>>;
  readonly tables: readonly string[];
}

/** `.local/endpoints.json` for the default data folder (or none), `<dir>-endpoints.json` beside another. */
export const endpointsFileOf = (customDataDir?: string): string =>
  customDataDir === undefined
    ? resolve(REPO_ROOT, '.local/endpoints.json')
    : `${resolve(customDataDir)}-endpoints.json`;

/** The variables the AWS SDKs and CLI read (service-specific endpoints: CLI v1.29 / v2.13 and later). */
export const endpointEnvironment = (services: {
  region: string;
  dynamodb: string;
  s3: string;
  stepFunctions: string;
  eventBridge: string;
}): Record<string, string> => ({
  AWS_ENDPOINT_URL_DYNAMODB: services.dynamodb,
  AWS_ENDPOINT_URL_SFN: services.stepFunctions,
  AWS_ENDPOINT_URL_EVENTBRIDGE: services.eventBridge,
  AWS_ENDPOINT_URL_EVENTS: services.eventBridge,
  AWS_ENDPOINT_URL_S3: services.s3,
  AWS_REGION: services.region,
  AWS_DEFAULT_REGION: services.region,
  // The local services accept any credentials: these are placeholders, never real ones.
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  // No instance metadata service is looked for.
  AWS_EC2_METADATA_DISABLED: 'true',
});

/** Written whole or not at all (a reader never sees half a file). */
export const writeEndpoints = (file: string, endpoints: LocalEndpoints): void => {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(endpoints, null, 2)}\n`);
  renameSync(partial, file);
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The endpoints of the stack running now, or undefined (no file, or its process is gone). */
export const readEndpoints = (file: string): LocalEndpoints | undefined => {
  let endpoints: LocalEndpoints;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  } catch {
    return undefined;
  }
  return typeof endpoints.pid === 'number' && alive(endpoints.pid) ? endpoints : undefined;
};

/** Removes the file if this process wrote it (another stack may have written its own since). */
export const removeEndpoints = (file: string): void => {
  try {
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
    if (pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Gone already, or not ours to remove.
  }
};

/** Ready-to-paste exports: `eval "$(npm start --silent -- --print-env)"`. */
export const renderExports = (endpoints: LocalEndpoints): string =>
  Object.entries(endpoints.environment)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`)
    .join('\n');
