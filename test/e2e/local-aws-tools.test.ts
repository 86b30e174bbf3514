import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-server.js';
import { endpointsFileOf, type LocalEndpoints } from '../../infra/local/local-endpoints.js';
import { REPO_ROOT } from '../../infra/repo-root.js';
import { killLeftovers, type LocalProcess, startLocalProcess } from '../support/local-process.js';
import { apiClient } from './client.js';

/*
 * `npm start` as AWS tools meet it: the endpoints it prints and writes down, fixed ports, the
 * exports `--print-env` gives, and the SDK reaching the stack's services through them.
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
