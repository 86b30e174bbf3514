import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../functions/domain/errors.js';
import { TaskStatus, WorkflowStatus } from '../../functions/domain/statuses.js';
import {
  TASK_TRANSITIONS,
  taskSourcesOf,
  WORKFLOW_TRANSITIONS,
  workflowSourcesOf,
} from '../../functions/domain/transitions.js';
import { canMoveTask, canMoveWorkflow } from '../support/transition-path.js';

describe('transition table', () => {
  it('has an entry for every status and names only known statuses', () => {
    expect(Object.keys(WORKFLOW_TRANSITIONS).sort()).toEqual([...WorkflowStatus.options].sort());
    expect(Object.keys(TASK_TRANSITIONS).sort()).toEqual([...TaskStatus.options].sort());
    for (const targets of Object.values(WORKFLOW_TRANSITIONS))
      for (const t of targets) WorkflowStatus.parse(t);
    for (const targets of Object.values(TASK_TRANSITIONS)) for (const t of targets) TaskStatus.parse(t);
  });

  it('never lets completed or cancelled move again (a cancelled workflow is never overwritten)', () => {
    expect(WORKFLOW_TRANSITIONS.completed).toEqual([]);
    expect(WORKFLOW_TRANSITIONS.cancelled).toEqual([]);
    expect(workflowSourcesOf('completed')).not.toContain('cancelled');
    expect(workflowSourcesOf('failed')).not.toContain('cancelled');
  });

  it('derives the condition of a write from the table', () => {
    expect(workflowSourcesOf('running').sort()).toEqual(['paused', 'pending', 'recovering']);
    expect(workflowSourcesOf('recovering')).toEqual(['failed']);
    expect(taskSourcesOf('pending').sort()).toEqual(['cancelled', 'completed', 'failed', 'skipped']);
  });

  it('only starts pending workflows, resumes paused ones and recovers failed ones', () => {
    expect(canMoveWorkflow('pending', 'running')).toBe(true);
    expect(canMoveWorkflow('running', 'running')).toBe(false);
    expect(canMoveWorkflow('completed', 'paused')).toBe(false);
    expect(canMoveWorkflow('cancelled', 'recovering')).toBe(false);
  });

  it('lets an attempt whose invocation died start again: running → running', () => {
    expect(canMoveTask('running', 'running')).toBe(true);
    expect(taskSourcesOf('running').sort()).toEqual(['pending', 'queued', 'retrying', 'running']);
  });

  it('narrows the sources of a write to a subset of the table, and refuses any other', () => {
    expect(workflowSourcesOf('running', ['pending', 'recovering'])).toEqual(['pending', 'recovering']);
    expect(taskSourcesOf('completed', ['running'])).toEqual(['running']);
    expect(() => workflowSourcesOf('running', ['failed'])).toThrow(
      'workflow failed → running is not in the transition table',
    );
    expect(() => taskSourcesOf('pending', ['pending'])).toThrow(
      'task pending → pending is not in the transition table',
    );
  });

  it('words an illegal move as the reference service did', () => {
    expect(new InvalidTransitionError('workflow', 'start', 'running', 'running').message).toBe(
      'Cannot start workflow in running state',
    );
  });
});
