import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/free-port.js';
import { endpointsFileOf, type LocalEndpoints } from '../../infra/local/local-endpoints.js';
import { REPO_ROOT } from '../../infra/repo-root.js';
import { killLeftovers, type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { apiClient } from './client.js';

/*
 * `npm start` as AWS tools meet it: the endpoints it prints and writes down, fixed ports, the
 * exports `--print-env` gives, and the SDK reaching the stack's services through them; and every
 * socket it listens on bound to 127.0.0.1, with no CORS for other origins. Everything here talks to
 * 127.0.0.1 only; the sockets are read from /proc, not probed over the network.
 */

const run = promisify(execFile);

afterAll(killLeftovers);

const ports = async () => ({
  dynamodb: await freePort(),
  sfn: await freePort(),
  eventbridge: await freePort(),
  s3: await freePort(),
});

describe('the endpoints of a running npm start', () => {
  it('prints them, writes them to <data>-endpoints.json on the fixed ports asked, exports them, and removes the file at Ctrl-C', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-endpoints-'));
    const file = endpointsFileOf(dataDir);
    const fixed = await ports();
    let stack: LocalProcess | undefined;
    try {
      stack = await startLocalProcess([
        '--no-demo',
        '--data-dir',
        dataDir,
        '--dynamodb-port',
        String(fixed.dynamodb),
        '--sfn-port',
        String(fixed.sfn),
        '--eventbridge-port',
        String(fixed.eventbridge),
        '--s3-port',
        String(fixed.s3),
      ]);
      const endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
      const local = (port: number) => `http://127.0.0.1:${port}`;
      expect(endpoints).toMatchObject({
        pid: expect.any(Number),
        region: 'us-east-1',
        api: stack.url,
        dynamodb: { endpoint: local(fixed.dynamodb) },
        stepFunctions: local(fixed.sfn),
        eventBridge: local(fixed.eventbridge),
        s3: local(fixed.s3),
      });
      expect(Object.keys(endpoints.stateMachines)).toContain('dataset-smoke');
      const banner = stack.output();
      for (const url of [
        endpoints.dynamodb.endpoint,
        endpoints.stepFunctions,
        endpoints.eventBridge,
        endpoints.s3,
      ])
        expect(banner).toContain(url);

      // The exports, with nothing else on stdout: `eval "$(npm start --silent -- --print-env ...)"`.
      const { stdout } = await run('npm', ['start', '--silent', '--', '--print-env', '--data-dir', dataDir], {
        cwd: REPO_ROOT,
      });
      const exported = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => {
            const match = /^export (\w+)='([^']*)'$/.exec(line);
            if (!match) throw new Error(`not an export: ${line}`);
            return [match[1], match[2]];
          }),
      );
      expect(exported).toMatchObject({
        AWS_ENDPOINT_URL_DYNAMODB: local(fixed.dynamodb),
        AWS_ENDPOINT_URL_SFN: local(fixed.sfn),
        AWS_ENDPOINT_URL_EVENTBRIDGE: local(fixed.eventbridge),
        AWS_ENDPOINT_URL_S3: local(fixed.s3),
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      });

      // What those exports reach: the stack's tables and state machines, and a run's history.
      const api = apiClient(stack.url);
      const created = (
        await api.post('/workflows', {
          jobId: 'e2e-endpoints',
          definition: 'dataset-smoke',
          metadata: { dataset: { items: 10 }, faults: { validate: { failTimes: 1 } } },
          start: true,
        })
      ).body as { workflowId: string; executionArn: string };
      expect((await api.waitFor(created.workflowId)).status).toBe('completed');
      const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      const dynamo = new DynamoDBClient({ endpoint: exported.AWS_ENDPOINT_URL_DYNAMODB, credentials });
      const sfn = new SFNClient({ endpoint: exported.AWS_ENDPOINT_URL_SFN, credentials });
      try {
        const { TableNames } = await dynamo.send(new ListTablesCommand({}));
        expect(TableNames).toEqual(expect.arrayContaining([...endpoints.tables]));
        const taskTable = endpoints.tables.find((t) => t.endsWith('WorkflowTask')) as string;
        const tasks = await dynamo.send(
          new QueryCommand({
            TableName: taskTable,
            KeyConditionExpression: 'workflowId = :w',
            ExpressionAttributeValues: { ':w': { S: created.workflowId } },
          }),
        );
        expect(tasks.Items?.map((item) => item.taskName?.S)).toContain('validate');
        const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
        expect(stateMachines?.map((m) => m.stateMachineArn)).toContain(
          endpoints.stateMachines['dataset-smoke'],
        );
        const { events } = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn: created.executionArn, maxResults: 1000 }),
        );
        expect(events?.filter((e) => e.type === 'LambdaFunctionFailed')).toHaveLength(1);
        expect(events?.at(-1)?.type).toBe('ExecutionSucceeded');
      } finally {
        dynamo.destroy();
        sfn.destroy();
      }

      expect(await stack.interrupt(), stack.output()).toBe(0);
      expect(existsSync(file)).toBe(false);
      await expect(
        run('npm', ['start', '--silent', '--', '--print-env', '--data-dir', dataDir], { cwd: REPO_ROOT }),
      ).rejects.toMatchObject({ code: 1 });
    } finally {
      await stack?.kill();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(`${dataDir}-s3`, { recursive: true, force: true });
      rmSync(file, { force: true });
    }
  }, 180_000);
});

/** The processes of a tree: `root` and every descendant (the DynamoDB guard and its java included). */
const processTree = (root: number): Map<number, string> => {
  const parents = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after its last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), { ppid, comm });
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = new Map<number, string>([[root, parents.get(root)?.comm ?? '?']]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { ppid, comm }] of parents)
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.set(pid, comm);
        grew = true;
      }
  }
  return tree;
};

/** An address of /proc/net/tcp (little-endian hex words) as text: 0100007F → 127.0.0.1. */
const addressOf = (hex: string): string => {
  const words = (hex.match(/.{8}/g) ?? []).map((word) =>
    (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)),
  );
  const bytes = words.flat();
  if (bytes.length === 4) return bytes.join('.');
  // IPv6: an IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 address.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255)
    return bytes.slice(12).join('.');
  return (
    (bytes.join(',').match(/\d+,\d+/g) ?? [])
      .map((pair) => {
        const [high = 0, low = 0] = pair.split(',').map(Number);
        return ((high << 8) | low).toString(16);
      })
      .join(':') || '::'
  );
};

interface ListeningSocket {
  readonly pid: number;
  readonly comm: string;
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
}

/** Every TCP socket listening, and every UDP socket bound, that a process of the tree owns. */
const listeningSockets = (root: number): ListeningSocket[] => {
  const tree = processTree(root);
  const owners = new Map<string, number>();
  for (const pid of tree.keys()) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) owners.set(match[1] as string, pid);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let table = '';
    try {
      table = readFileSync(`/proc/net/${protocol}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local = '', , state, , , , , , inode = ''] = fields.slice(1);
      const listening = protocol.startsWith('tcp') ? state === '0A' : state === '07';
      const pid = owners.get(inode);
      if (!listening || pid === undefined) continue;
      const [hex = '', port = '0'] = local.split(':');
      sockets.push({
        pid,
        comm: tree.get(pid) ?? '?',
        protocol,
        address: addressOf(hex),
        port: Number.parseInt(port, 16),
      });
    }
  }
  return sockets;
};

/** What a page of another origin, or of the console, would get from an endpoint. */
const corsAnswer = async (url: string, origin: string) => {
  const preflight = await fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-amz-target',
    },
  });
  await preflight.arrayBuffer();
  const call = await fetch(url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-amz-json-1.0' },
    body: '{}',
  });
  await call.arrayBuffer();
  return [preflight, call].map((r) => r.headers.get('access-control-allow-origin'));
};

describe.skipIf(process.platform !== 'linux')('npm start listens on 127.0.0.1 only', () => {
  const check = async (args: string[]) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'e2e-loopback-'));
    const file = endpointsFileOf(dataDir);
    let stack: LocalProcess | undefined;
    try {
      stack = await startLocalProcess(['--no-demo', '--data-dir', dataDir, ...args]);
      const endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
      const sockets = listeningSockets(stack.child.pid as number);
      const portOf = (url: string) => Number(new URL(url).port);
      const expected = [
        stack.url,
        endpoints.dynamodb.endpoint,
        endpoints.stepFunctions,
        endpoints.eventBridge,
        endpoints.s3,
      ].map(portOf);
      // Every endpoint is one of the stack's own sockets...
      expect(sockets.map((s) => s.port)).toEqual(expect.arrayContaining(expected));
      // ...and every socket of the stack is on 127.0.0.1 (DynamoDB Local's only if it could not be kept there).
      const exempt = (s: ListeningSocket) =>
        !endpoints.dynamodb.loopbackOnly &&
        s.comm === 'java' &&
        s.port === portOf(endpoints.dynamodb.endpoint);
      expect(sockets.filter((s) => !exempt(s) && s.address !== '127.0.0.1')).toEqual([]);

      // No endpoint answers CORS for another origin; DynamoDB answers the console's own.
      const consoleOrigin = new URL(stack.url).origin;
      for (const url of [
        endpoints.dynamodb.endpoint,
        endpoints.stepFunctions,
        endpoints.eventBridge,
        endpoints.s3,
        stack.url,
      ])
        for (const allowed of await corsAnswer(url, 'http://evil.example'))
          expect(allowed === '*' || allowed === 'http://evil.example', `${url}: ${allowed}`).toBe(false);
      expect(await corsAnswer(endpoints.dynamodb.endpoint, consoleOrigin)).toEqual([
        consoleOrigin,
        consoleOrigin,
      ]);
      expect(await stack.interrupt(), stack.output()).toBe(0);
      return { endpoints, sockets };
    } finally {
      await stack?.kill();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(`${dataDir}-s3`, { recursive: true, force: true });
      rmSync(file, { force: true });
    }
  };

  it('with the default DynamoDB (DynamoDB Local on Java 17+, kept on 127.0.0.1 by its launcher)', async () => {
    const { endpoints, sockets } = await check([]);
    if (endpoints.dynamodb.engine === 'dynamodb-local') {
      const java = sockets.filter((s) => s.comm === 'java');
      expect(java.length).toBeGreaterThan(0);
      // Where javac exists (CI, this repository's setup), the launcher keeps it on loopback.
      if (spawnSync('javac', ['-version']).status === 0) expect(endpoints.dynamodb.loopbackOnly).toBe(true);
    }
  }, 120_000);

  it('with --dynamodb dynalite', async () => {
    const { endpoints, sockets } = await check(['--dynamodb', 'dynalite']);
    expect(endpoints.dynamodb).toMatchObject({ engine: 'dynalite', loopbackOnly: true });
    expect(sockets.some((s) => s.comm === 'java')).toBe(false);
  }, 120_000);
});
