import type { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepKey } from '../../../functions/contract/execution.js';
import { RecoveryLimitError, ValidationError } from '../../../functions/domain/errors.js';
import type { DomainEvent } from '../../../functions/events/domain-events.js';
import { Orchestrator } from '../../../functions/orchestrator/service.js';
import { TaskRepository } from '../../../functions/repositories/task-repository.js';
import { WorkflowRepository } from '../../../functions/repositories/workflow-repository.js';
import { createTestTables, type TestTables } from '../../support/tables.js';
import { chainFlow } from '../../support/test-flow.js';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:flow';

const flow = chainFlow('1', ['first', 'second', 'third']);

/** The writes the orchestrator's repositories send, as `<command> <table>`. */
let writes: string[] = [];
const events: DomainEvent[] = [];
const started: { name?: string; input?: string }[] = [];
let tables: TestTables;
let orchestrator: Orchestrator;
let repos: { workflows: WorkflowRepository; tasks: TaskRepository };

beforeAll(async () => {
  tables = await createTestTables();
  const doc = DynamoDBDocumentClient.from(tables.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  doc.send = ((command: { constructor: { name: string }; input: { TableName?: string } }) => {
    if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(command.constructor.name))
      writes.push(`${command.constructor.name} ${command.input.TableName ?? ''}`);
    return send(command);
  }) as typeof doc.send;
  repos = {
    workflows: new WorkflowRepository({
      doc,
      tableName: tables.names.workflows,
      events: { publish: async (published) => void events.push(...published) },
    }),
    tasks: new TaskRepository({
      doc,
      tableName: tables.names.tasks,
      workflowTableName: tables.names.workflows,
    }),
  };
  const sfn = {
    send: async (command: { input: { name?: string; input?: string } }) => {
      started.push(command.input);
      return {};
    },
  } as unknown as SFNClient;
  orchestrator = new Orchestrator({
    repos,
    store: { doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    sfn,
    stateMachines: { [flow.name]: STATE_MACHINE },
    definitions: [flow],
    delayedStart: `${STATE_MACHINE}-delayed`,
  });
});
afterAll(() => tables.drop());

/** A workflow whose run failed at its second step, after the first completed. */
const failedAtSecondStep = async (jobId: string) => {
  const workflow = await orchestrator.create({ jobId, definition: flow.name, start: true });
  const key = (stepIndex: number) => ({ workflowId: workflow.workflowId, stepIndex });
  await repos.tasks.startAttempt(key(0), { executionArn: 'arn:run' });
  await repos.tasks.completeAttempt(key(0), 1, { result: { rows: 3 } });
  await repos.workflows.recordStepCompleted(workflow.workflowId, 'first');
  await repos.tasks.startAttempt(key(1), { executionArn: 'arn:run' });
  await repos.tasks.markFailed(key(1), { errorType: 'Error', errorMessage: 'boom' });
  await repos.workflows.markFailed(workflow.workflowId, 'Task second failed after 1 attempts: boom');
  writes = [];
  events.length = 0;
  started.length = 0;
  return workflow;
};

describe('Orchestrator.recover', () => {
  it('recovers in two workflow writes (count the attempt and rewind, then start), staging then writing out each re-run step', async () => {
    const workflow = await failedAtSecondStep('job-recover');
    const running = await orchestrator.recover(workflow.workflowId);
    expect(running).toMatchObject({
      status: 'running',
      recoveryAttempts: 1,
      completedSteps: ['first'],
      currentStep: 1,
      progress: 33,
    });
    const { workflows, tasks } = tables.names;
    expect(writes.filter((w) => w.endsWith(workflows))).toEqual([
      `UpdateCommand ${workflows}`,
      `UpdateCommand ${workflows}`,
    ]);
    // The failed second step and the third (never ran) are staged for the new run, then written out
    // once the attempt is counted; the completed first one is kept as is.
    expect(writes.filter((w) => w.endsWith(tasks))).toEqual(Array(4).fill(`UpdateCommand ${tasks}`));
    const statuses = (await repos.tasks.getByWorkflow(workflow.workflowId)).map((t) => t.status);
    expect(statuses).toEqual(['completed', 'pending', 'pending']);
    expect(events.map((e) => [e.detailType, e.detail.status])).toEqual([
      ['workflow.status-changed', 'recovering'],
      ['workflow.progress', 'recovering'],
      ['workflow.status-changed', 'running'],
    ]);
    expect(started).toHaveLength(1);
    expect(JSON.parse(started[0]?.input ?? '{}')).toMatchObject({
      skip: { [stepKey(0)]: true },
      // The kept result stays with its task: the run gets only its reference.
      results: { [stepKey(0)]: { stored: 'task', bytes: Buffer.byteLength(JSON.stringify({ rows: 3 })) } },
    });
  });

  it('with a delay, leaves it recovering after one workflow write', async () => {
    const workflow = await failedAtSecondStep('job-delayed');
    const recovering = await orchestrator.recover(workflow.workflowId, { delaySeconds: 5 });
    expect(recovering).toMatchObject({ status: 'recovering', recoveryAttempts: 1, currentStep: 1 });
    expect(writes.filter((w) => w.endsWith(tables.names.workflows))).toHaveLength(1);
    expect(started.map((s) => s.name)).toEqual([`${workflow.workflowId}-1`]);
  });

  it('past the limit, changes nothing and writes nothing', async () => {
    const workflow = await failedAtSecondStep('job-spent');
    for (let attempt = 0; attempt < flow.maxRecoveryAttempts; attempt += 1) {
      await orchestrator.recover(workflow.workflowId);
      await repos.workflows.markFailed(workflow.workflowId, 'again');
    }
    writes = [];
    const before = await repos.workflows.getById(workflow.workflowId);
    await expect(orchestrator.recover(workflow.workflowId)).rejects.toThrow(RecoveryLimitError);
    expect(writes).toEqual([]);
    expect(await repos.workflows.getById(workflow.workflowId)).toEqual(before);
  });
});

describe('Orchestrator.create', () => {
  it('refuses metadata.faults where fault injection is off, naming the field, and writes nothing', async () => {
    writes = [];
    const refused = orchestrator.create({
      jobId: 'job-faults',
      definition: flow.name,
      metadata: { faults: { first: { fatal: true } } },
    });
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toMatchObject({
      issues: [{ path: 'metadata.faults', rule: 'fault-injection-off' }],
    });
    expect(writes).toEqual([]);
  });
});
