import './dev-env.js';
import { parseArgs } from 'node:util';

// Only node:util is loaded before the flags are read: `--help` and a mistyped flag answer at once.
const USAGE = `npm start -- [--port 3000] [--fresh] [--no-demo] [--in-memory] [--data-dir DIR] [--log-level L]
                [--watch] [--dynamodb auto|dynamodb-local|dynalite]
                [--dynamodb-port N] [--sfn-port N] [--eventbridge-port N] [--s3-port N]
       npm start --silent -- --print-env [--data-dir DIR]

Runs the synthesized app on this machine: DynamoDB on 127.0.0.1, the state machines, the Lambda
handlers and the API routes of cdk.out, with no AWS account.
  --port N         API port (default 3000, or $PORT)
  --fresh          start with empty tables (data is otherwise kept under .local/)
  --in-memory      keep no data on disk
  --data-dir D     where the data is kept (default .local/dynamodb)
  --no-demo        do not submit the example dataset-build workflow
  --log-level L    debug, info, warn (default) or error
  --watch          reload handlers on save; re-synthesize on a definition or CDK change
  --dynamodb E     auto (default: DynamoDB Local on Java 17+, else dynalite), dynamodb-local,
                   or dynalite (pure JavaScript, always on 127.0.0.1 only)
  --dynamodb-port N, --sfn-port N, --eventbridge-port N, --s3-port N
                   fixed ports for the local AWS endpoints (default: free ones; also
                   LOCAL_DYNAMODB_PORT, LOCAL_SFN_PORT, LOCAL_EVENTBRIDGE_PORT, LOCAL_S3_PORT)
  --print-env      print the running stack's AWS_ENDPOINT_URL_* exports, region and placeholder
                   credentials, and exit: eval "$(npm start --silent -- --print-env)"
  --help           this text

The endpoints of a running stack are in .local/endpoints.json (<DIR>-endpoints.json with --data-dir).`;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

const fail = (message: string): never => {
  console.error(`npm start: ${message}\n\n${USAGE}`);
  process.exit(2);
};

const parse = () => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: process.env.PORT ?? '3000' },
        fresh: { type: 'boolean', default: false },
        'in-memory': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'no-demo': { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        watch: { type: 'boolean', default: false },
        dynamodb: { type: 'string', default: 'auto' },
        'dynamodb-port': { type: 'string' },
        'sfn-port': { type: 'string' },
        'eventbridge-port': { type: 'string' },
        's3-port': { type: 'string' },
        'print-env': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
};

const values = parse();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values['print-env']) {
  const { endpointsFileOf, readEndpoints, renderExports } = await import('./local-endpoints.js');
  const file = endpointsFileOf(values['data-dir']);
  const endpoints = readEndpoints(file);
  if (!endpoints) {
    console.error(
      `npm start: no local stack is running (${file} is missing or stale); start one with npm start`,
    );
    process.exit(1);
  }
  console.log(renderExports(endpoints));
  process.exit(0);
}
// Fixed ports reach each server through its variable (fixed-ports.ts); a flag wins over the variable.
{
  const { PORT_VARIABLES, parsePort } = await import('./fixed-ports.js');
  for (const [service, variable] of Object.entries(PORT_VARIABLES)) {
    const flag = `${service}-port` as 'sfn-port';
    const value = values[flag] ?? process.env[variable];
    if (value === undefined || value === '') continue;
    try {
      process.env[variable] = String(parsePort(value, values[flag] === undefined ? variable : `--${flag}`));
    } catch (error) {
      fail((error as Error).message);
    }
  }
}
const DYNAMO_ENGINES = ['auto', 'dynamodb-local', 'dynalite'] as const;
const dynamoEngine = values.dynamodb as (typeof DYNAMO_ENGINES)[number];
if (!DYNAMO_ENGINES.includes(dynamoEngine)) fail(`--dynamodb must be one of ${DYNAMO_ENGINES.join(', ')}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a port number (got ${values.port})`);
const level = values['log-level'];
if (level !== undefined) {
  if (!LOG_LEVELS.includes(level.toLowerCase())) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  process.env.POWERTOOLS_LOG_LEVEL = level.toUpperCase();
}

try {
  const [{ runLocal }, { DEFAULT_DATA_DIR }] = await Promise.all([
    import('./run-local.js'),
    import('./local-stack.js'),
  ]);
  await runLocal({
    port,
    ...(values['in-memory'] ? {} : { dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR }),
    fresh: values.fresh ?? false,
    demo: !values['no-demo'],
    watch: values.watch ?? false,
    dynamoEngine,
  });
} catch (error) {
  const { explain } = await import('./explain.js');
  console.error(`npm start: ${explain(error)}`);
  process.exit(1);
}
