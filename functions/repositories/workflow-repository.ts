import { InvalidTransitionError, NotFoundError, RecoveryLimitError } from '../domain/errors.js';
import type { WorkflowRecord } from '../domain/records.js';
import type { WorkflowStatus } from '../domain/statuses.js';
import { workflowSourcesOf } from '../domain/transitions.js';
import {
  type DomainEvent,
  progressChanged,
  recoveryExhausted,
  statusChanged,
} from '../events/domain-events.js';
import { type EventPublisher, eventPublisherFromEnv } from '../events/publisher.js';
import {
  appendToList,
  type Expr,
  ifNotExists,
  notExpired,
  type UpdateOutcome,
  updateIf,
  writeStatus,
} from './conditions.js';
import { workflowStatusKeys } from './index-keys.js';
import { fromWorkflowItem, stepSet, workflowKey } from './items.js';
import { retentionOf, settleRetention } from './retention.js';
import { clearUnsettled } from './unsettled.js';
import {
  type Move,
  PROGRESS_STATUSES,
  progressOf,
  type RecoveryRewind,
  type StepProgress,
  type WorkflowTransitionOptions,
} from './workflow-moves.js';
import { type RepositoryOptions, WorkflowReader } from './workflow-reads.js';

export type {
  RecoveryRewind,
  StepProgress,
  WorkflowFields,
  WorkflowTransitionOptions,
} from './workflow-moves.js';
export type { RepositoryOptions } from './workflow-reads.js';

/** The workflow is still on the run `seen` was read on: the same run token and execution, or none. */
const sameRun = (e: Expr, seen: Pick<WorkflowRecord, 'runToken' | 'executionArn'>): string =>
  (['runToken', 'executionArn'] as const)
    .map((field) => {
      const value = seen[field];
      return value === undefined
        ? `attribute_not_exists(${e.name(field)})`
        : `${e.name(field)} = ${e.value(value)}`;
    })
    .join(' AND ');

export class WorkflowRepository extends WorkflowReader {
  /**
   * Every status change written here (and every step counted) is published after the write; the
   * state machine's own writes, from its status-change event (functions/recovery/execution-events.ts).
   */
  private readonly events: EventPublisher;

  constructor(options: RepositoryOptions) {
    super(options);
    this.events = options.events ?? eventPublisherFromEnv();
  }

  /** One conditional UpdateItem: the condition lists the allowed prior statuses. */
  async transition(
    workflowId: string,
    to: WorkflowStatus,
    options: WorkflowTransitionOptions,
  ): Promise<WorkflowRecord> {
    const { attributes: item } = await this.move(workflowId, to, options, this.now());
    const record = this.remember(fromWorkflowItem(item));
    return this.announce(record, statusChanged(record));
  }

  /** pending/recovering → running with its execution; `runToken` for a record that has none yet. */
  async markRunning(
    workflowId: string,
    options: { executionArn: string; runToken?: string },
  ): Promise<WorkflowRecord> {
    const now = this.now();
    const set = {
      ...(options.runToken ? { runToken: ifNotExists('runToken', options.runToken) } : {}),
      startedAt: ifNotExists('startedAt', now.toISOString()),
      executionArn: options.executionArn,
      executionArns: appendToList('executionArns', [options.executionArn]),
    };
    const remove = ['errorMessage', 'completedAt'] as const;
    // Not from paused: resuming is markResumed, which hands back the pause tokens.
    const { attributes: item } = await this.move(
      workflowId,
      'running',
      { action: 'start', from: ['pending', 'recovering'], set, remove },
      now,
    );
    const record = this.remember(fromWorkflowItem(item));
    return this.announce(record, statusChanged(record));
  }

  markPaused(workflowId: string): Promise<WorkflowRecord> {
    return this.transition(workflowId, 'paused', { action: 'pause' });
  }

  /**
   * paused → running, handing back every stored pause token exactly once: the write that empties
   * the map (kept as `{}` for the next pause) returns the old item and keeps the tokens it took in
   * `resumedTokens`, where a retry of it whose answer was lost (`updateIf`) finds them.
   */
  async markResumed(
    workflowId: string,
  ): Promise<{ record: WorkflowRecord; pauseTokens: Record<string, string> }> {
    const now = this.now();
    const set = { pauseTokens: {}, resumedTokens: ifNotExists('pauseTokens', {}) };
    const resume: Move = { action: 'resume', from: ['paused'], set, returnValues: 'ALL_OLD' };
    const { attributes: old, replayed } = await this.move(workflowId, 'running', resume, now);
    // The write's effect is known exactly, so the new record is derived rather than read again.
    const updated = replayed
      ? old
      : { ...old, status: 'running', updatedAt: now.toISOString(), pauseTokens: {} };
    const record = this.remember(fromWorkflowItem(updated));
    await this.announce(record, statusChanged(record, 'paused'));
    const taken = replayed ? old.resumedTokens : old.pauseTokens;
    return { record, pauseTokens: (taken ?? {}) as Record<string, string> };
  }

  markCompleted(workflowId: string): Promise<WorkflowRecord> {
    const set = { progress: 100, completedAt: this.now().toISOString() };
    return this.transition(workflowId, 'completed', { action: 'complete', set });
  }

  markFailed(workflowId: string, errorMessage: string): Promise<WorkflowRecord> {
    const set = { errorMessage, completedAt: this.now().toISOString() };
    return this.transition(workflowId, 'failed', { action: 'fail', set });
  }

  /**
   * → cancelled. `done` (the steps done once every open task was cancelled) makes progress count
   * exactly the done tasks, a step's progress write the cancel refused included. With `ofRun`, only
   * while the workflow is still on that run (same run token and execution): undefined when a start
   * or recovery moved it to another run since it was read, so the caller cancels that run too
   * (docs/behaviour.md, "Cancel").
   */
  async markCancelled(
    workflowId: string,
    done?: readonly string[],
    ofRun?: Pick<WorkflowRecord, 'runToken' | 'executionArn'>,
  ): Promise<WorkflowRecord | undefined> {
    const now = this.now();
    const steps = done && stepSet(done);
    const recount = done ? { currentStep: done.length, ...(steps ? { completedSteps: steps } : {}) } : {};
    const move: Move = {
      action: 'cancel',
      set: { completedAt: now.toISOString(), ...recount },
      ...(done && !steps ? { remove: ['completedSteps'] } : {}),
      ...(ofRun ? { where: (e: Expr) => sameRun(e, ofRun) } : {}),
    };
    const outcome = await this.write(workflowId, 'cancelled', move, now);
    if (!outcome.ok) {
      const current = await this.current(workflowId, outcome.old, now);
      if (ofRun && workflowSourcesOf('cancelled').includes(current.status as WorkflowStatus))
        return undefined;
      throw new InvalidTransitionError('workflow', 'cancel', String(current.status), 'cancelled');
    }
    const record = this.remember(fromWorkflowItem(outcome.attributes));
    return this.announce(record, statusChanged(record));
  }

  /** Recounts a cancelled workflow's progress from its done steps (no status change). */
  async recountCancelled(workflowId: string, done: readonly string[]): Promise<void> {
    const now = this.now();
    const steps = stepSet(done);
    await updateIf(this.doc, {
      tableName: this.tableName,
      key: workflowKey(workflowId),
      parts: {
        set: {
          currentStep: done.length,
          updatedAt: now.toISOString(),
          ...(steps ? { completedSteps: steps } : {}),
        },
        remove: steps ? [] : ['completedSteps'],
      },
      condition: (e) => `${e.name('status')} = ${e.value('cancelled')}`,
    });
  }

  /** failed → recovering in one write: checks and counts the attempt, rewinds progress (no run writes it now). */
  async beginRecovery(workflowId: string, rewind: RecoveryRewind): Promise<WorkflowRecord> {
    const steps = stepSet(rewind.completedSteps);
    const recover: Move = {
      action: 'recover',
      set: {
        currentStep: rewind.currentStep,
        progress: rewind.progress,
        completedSteps: steps,
        pauseTokens: {},
        runToken: rewind.runToken,
      },
      remove: steps ? [] : ['completedSteps'],
      add: { recoveryAttempts: 1 },
      where: (e) => `${e.name('recoveryAttempts')} < ${e.name('maxRecoveryAttempts')}`,
    };
    for (let tries = 0; ; tries += 1) {
      const now = this.now();
      const outcome = await this.write(workflowId, 'recovering', recover, now);
      if (outcome.ok) {
        const record = this.remember(fromWorkflowItem(outcome.attributes));
        return this.announce(record, statusChanged(record, 'failed'), progressChanged(record));
      }
      const current = await this.current(workflowId, outcome.old, now);
      const attempts = Number(current.recoveryAttempts);
      const max = Number(current.maxRecoveryAttempts);
      if (current.status !== 'failed')
        throw new InvalidTransitionError('workflow', 'recover', String(current.status), 'recovering');
      if (attempts >= max || tries >= 3) throw new RecoveryLimitError(attempts, max);
      // Only when the state was re-read after the failure (dynalite returns no old item): it
      // changed back in between, so the refusal is stale and the write is tried again.
    }
  }

  /** Automatic recovery gave up (no attempts left): the final message, once; undefined if recorded or moved on. */
  async markRecoveryExhausted(workflowId: string, suffix: string): Promise<WorkflowRecord | undefined> {
    const record = await this.appendToFailure(
      workflowId,
      suffix,
      (e) => `${e.name('recoveryAttempts')} >= ${e.name('maxRecoveryAttempts')}`,
    );
    return record && this.announce(record, statusChanged(record, 'failed'), recoveryExhausted(record));
  }

  /** Why automatic recovery leaves a failed workflow alone, appended once; undefined if recorded or moved on. */
  async markNotRecoveredAutomatically(
    workflowId: string,
    suffix: string,
  ): Promise<WorkflowRecord | undefined> {
    const record = await this.appendToFailure(workflowId, suffix);
    return record && this.announce(record, statusChanged(record, 'failed'));
  }

  /** Appends `suffix` to a failed workflow's message, once: the suffix check lets one writer through. */
  private async appendToFailure(
    workflowId: string,
    suffix: string,
    also?: (e: Expr) => string,
  ): Promise<WorkflowRecord | undefined> {
    const now = this.now();
    const current = await this.getById(workflowId);
    if (!current) throw new NotFoundError('Workflow', workflowId);
    const outcome = await updateIf(this.doc, {
      tableName: this.tableName,
      key: workflowKey(workflowId),
      parts: {
        // A failure the state machine recorded gets its retention here (ASL has no clock to count it).
        set: {
          errorMessage: `${current.errorMessage ?? 'Failed'}${suffix}`,
          updatedAt: now.toISOString(),
          ...retentionOf('failed', now, this.retentionDays).set,
        },
      },
      // Duplicate events race here: the suffix check lets exactly one of them write (and announce).
      condition: (e) =>
        [
          `${e.name('status')} = ${e.value('failed')}`,
          ...(also ? [also(e)] : []),
          `NOT contains(${e.name('errorMessage')}, ${e.value(suffix)})`,
          notExpired(e, now),
        ].join(' AND '),
    });
    return outcome.ok ? this.remember(fromWorkflowItem(outcome.attributes)) : undefined;
  }

  /**
   * Counts a completed step once (conditioned on the step not being in the set yet: a repeat is a
   * no-op), whatever the concurrency. The last step completes the workflow in the same write.
   */
  async recordStepCompleted(
    workflowId: string,
    stepName: string,
    options: {
      completesWorkflow?: boolean;
      /** Its run: counted even once a sibling failed that run, so progress = done tasks. */
      executionArn?: string;
    } = {},
  ): Promise<StepProgress> {
    const now = this.now();
    const at = now.toISOString();
    const finish = options.completesWorkflow
      ? {
          status: 'completed',
          ...workflowStatusKeys(workflowId, await this.jobIdOf(workflowId, now), 'completed').set,
          completedAt: at,
          ...retentionOf('completed', now, this.retentionDays).set,
        }
      : {};
    // ADD is atomic, so parallel steps never race on the counter: one write per step, no read.
    const outcome = await updateIf(this.doc, {
      tableName: this.tableName,
      key: workflowKey(workflowId),
      parts: {
        set: { lastCheckpoint: at, updatedAt: at, ...finish },
        add: { currentStep: 1, completedSteps: new Set([stepName]) },
      },
      condition: (e) => {
        const counting = options.completesWorkflow
          ? e.in('status', workflowSourcesOf('completed'))
          : options.executionArn
            ? `(${e.in('status', PROGRESS_STATUSES)} OR (${e.name('status')} = ${e.value('failed')} AND ${e.name('executionArn')} = ${e.value(options.executionArn)}))`
            : e.in('status', PROGRESS_STATUSES);
        return [
          `NOT contains(${e.name('completedSteps')}, ${e.value(stepName)})`,
          counting,
          notExpired(e, now),
        ].join(' AND ');
      },
    });
    // The last step of a run that failed meanwhile (a sibling's failure): counted, not completing.
    if (!outcome.ok && options.completesWorkflow && options.executionArn)
      return this.recordStepCompleted(workflowId, stepName, { executionArn: options.executionArn });
    if (outcome.ok) {
      const record = this.remember(fromWorkflowItem(outcome.attributes));
      // One PutEvents per step; the completion itself is announced from the execution's SUCCEEDED event.
      await this.announce(record, progressChanged(record, stepName));
      return { ...progressOf(record), applied: true };
    }
    const current = await this.getById(workflowId);
    if (!current) throw new NotFoundError('Workflow', workflowId);
    return { ...progressOf(current), applied: false };
  }

  /** Parks a pause-gate task token; false when the workflow is not paused (the caller then proceeds). */
  async storePauseToken(workflowId: string, stepName: string, token: string): Promise<boolean> {
    const now = this.now();
    const outcome = await updateIf(this.doc, {
      tableName: this.tableName,
      key: workflowKey(workflowId),
      parts: { setPaths: [[['pauseTokens', stepName], token]] },
      condition: (e) =>
        `${e.name('status')} = ${e.value('paused')} AND attribute_exists(${e.name('pauseTokens')}) AND ${notExpired(e, now)}`,
    });
    if (outcome.ok) return true;
    await this.current(workflowId, outcome.old, now);
    return false;
  }

  /** A finished workflow with no expiry yet gets one (functions/repositories/retention.ts). */
  settleRetention(workflowId: string): Promise<boolean> {
    return settleRetention(this.doc, {
      tableName: this.tableName,
      workflowId,
      days: this.retentionDays,
      now: this.now(),
    });
  }

  /** The reconciler closed what this ended workflow left in flight (unsettled.ts). */
  settle(workflowId: string, seenUpdatedAt: string): Promise<boolean> {
    return clearUnsettled(this.doc, { tableName: this.tableName, workflowId, seenUpdatedAt });
  }

  private async announce(record: WorkflowRecord, ...events: DomainEvent[]): Promise<WorkflowRecord> {
    await this.events.publish(events);
    return record;
  }

  /** The one status writer: from the sources of `to` in WORKFLOW_TRANSITIONS; its index keys and expiresAt with it. */
  private async write(workflowId: string, to: WorkflowStatus, move: Move, now: Date): Promise<UpdateOutcome> {
    const from = workflowSourcesOf(to, move.from);
    const jobId = await this.jobIdOf(workflowId, now);
    const retention = retentionOf(to, now, this.retentionDays);
    const keys = workflowStatusKeys(workflowId, jobId, to);
    return writeStatus(this.doc, {
      tableName: this.tableName,
      key: workflowKey(workflowId),
      to,
      from,
      set: { ...move.set, ...retention.set, ...keys.set },
      remove: [...(move.remove ?? []), ...retention.remove, ...keys.remove],
      add: move.add ?? {},
      ...(move.where ? { where: move.where } : {}),
      now,
      ...(move.returnValues ? { returnValues: move.returnValues } : {}),
    });
  }

  /** `write`, refused with InvalidTransitionError (or NotFoundError) when the condition fails. */
  private async move(workflowId: string, to: WorkflowStatus, move: Move, now: Date) {
    const outcome = await this.write(workflowId, to, move, now);
    if (outcome.ok) return outcome;
    const current = await this.current(workflowId, outcome.old, now);
    throw new InvalidTransitionError('workflow', move.action, String(current.status), to);
  }
}
