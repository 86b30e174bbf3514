import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionVersions } from '../../../functions/contract/definition-versions.js';
import { ValidationError } from '../../../functions/domain/errors.js';
import type { Orchestrator } from '../../../functions/orchestrator/service.js';
import type { TaskRepository } from '../../../functions/repositories/task-repository.js';
import type { WorkflowRepository } from '../../../functions/repositories/workflow-repository.js';
import { createWorkflowWithTasks } from '../../../functions/repositories/workflow-store.js';
import { recordingSfn, testOrchestrator } from '../../api/support.js';
import { createTestTables, type TestTables } from '../../support/tables.js';
import { chainFlow } from '../../support/test-flow.js';

/*
 * README, "Versions", in the orchestrator: each run starts on the Step Functions version of the
 * workflow's own definition version; a record from before versions runs on the upgrade version.
 */

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:flow';

const v2 = chainFlow('2', ['first', 'second']);
const v3 = chainFlow('3', ['first', 'second', 'third']);
const versions: DefinitionVersions = { flow: { upgradeVersion: '2', versions: { '2': v2, '3': v3 } } };
const versionArns = { flow: { '2': `${MACHINE}:1`, '3': `${MACHINE}:2` } };

let tables: TestTables;
let orchestrator: Orchestrator;
let repos: { workflows: WorkflowRepository; tasks: TaskRepository };
const sfn = recordingSfn();
/** The StartExecution calls' inputs since the last reset: which machine (version) each run started on. */
const started = () =>
  sfn.calls
    .filter((call) => call.command === 'StartExecutionCommand')
    .map((call) => call.input as { stateMachineArn?: string; name?: string });

beforeAll(async () => {
  tables = await createTestTables();
  const app = testOrchestrator(tables, sfn.client, [v3], {
    stateMachines: { flow: MACHINE },
    versionArns,
    definitionVersions: versions,
  });
  orchestrator = app.orchestrator;
  repos = { workflows: app.workflows, tasks: app.tasks };
});
afterAll(() => tables.drop());

/** A workflow as a release before versions wrote it: its definition's version then was "1". */
const recordFromBeforeVersions = (jobId: string) =>
  createWorkflowWithTasks(
    { doc: tables.doc, workflows: tables.names.workflows, tasks: tables.names.tasks },
    {
      workflow: { jobId, definitionName: 'flow', definitionVersion: '1', maxRecoveryAttempts: 2 },
      tasks: v2.steps.map((s) => ({ taskName: s.name, taskType: s.taskType, maxRetries: 0, timeout: 30 })),
    },
  );

describe('definition versions in the orchestrator', () => {
  it('creates on the current version and starts its run on that version; the execution ARN names no version', async () => {
    sfn.calls.length = 0;
    const workflow = await orchestrator.create({ jobId: 'v-current', definition: 'flow', start: true });
    expect(workflow).toMatchObject({ definitionVersion: '3', totalSteps: 3 });
    expect(started()[0]?.stateMachineArn).toBe(`${MACHINE}:2`);
    expect(workflow.executionArn).toBe(
      `${MACHINE.replace(':stateMachine:', ':execution:')}:${workflow.workflowId}-0`,
    );
  });

  it('creates on a pinned earlier version with its step list, and runs it there, recovery included', async () => {
    sfn.calls.length = 0;
    const workflow = await orchestrator.create({
      jobId: 'v-pinned',
      definition: 'flow',
      definitionVersion: '2',
    });
    expect(workflow).toMatchObject({ definitionVersion: '2', totalSteps: 2 });
    expect((await repos.tasks.getByWorkflow(workflow.workflowId)).map((t) => t.taskName)).toEqual([
      'first',
      'second',
    ]);
    await orchestrator.start(workflow.workflowId);
    await repos.workflows.markFailed(workflow.workflowId, 'Task second failed after 1 attempts: boom');
    await orchestrator.recover(workflow.workflowId);
    expect(started().map((s) => s.stateMachineArn)).toEqual([`${MACHINE}:1`, `${MACHINE}:1`]);
  });

  it('runs a record from before versions on the version current at the upgrade, recovery included', async () => {
    sfn.calls.length = 0;
    const workflow = await recordFromBeforeVersions('v-legacy');
    await orchestrator.start(workflow.workflowId);
    await repos.workflows.markFailed(workflow.workflowId, 'Task first failed after 1 attempts: boom');
    await orchestrator.recover(workflow.workflowId);
    expect(started().map((s) => s.stateMachineArn)).toEqual([`${MACHINE}:1`, `${MACHINE}:1`]);
  });

  it('refuses an unknown version with a 400 naming definitionVersion, and lists every version', async () => {
    const refused = orchestrator.create({ jobId: 'v-unknown', definition: 'flow', definitionVersion: '9' });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      issues: [{ path: 'definitionVersion', rule: 'known-version' }],
      message: 'definitionVersion must be one of the versions of flow: 2, 3',
    });
    expect(
      orchestrator.definitions().map((d) => [d.definition.version, d.current, d.stateMachineArn]),
    ).toEqual([
      ['2', false, `${MACHINE}:1`],
      ['3', true, `${MACHINE}:2`],
    ]);
  });
});
