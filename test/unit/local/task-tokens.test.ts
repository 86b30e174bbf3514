import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskTokens } from '../../../infra/local/task-tokens.js';

const meta = { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e', stateName: 'Wait' };

describe('TaskTokens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('issues opaque base64url tokens and resolves the waiter with the parsed output', async () => {
    const tokens = new TaskTokens();
    const token = tokens.create(meta);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(tokens.create(meta)).not.toBe(token);
    const waiting = tokens.wait(token);
    tokens.succeed(token, '{"ok":true}');
    await expect(waiting).resolves.toEqual({ ok: true });
  });

  it('fails the waiter with Error = error, Cause = cause', async () => {
    const tokens = new TaskTokens();
    const token = tokens.create(meta);
    const waiting = tokens.wait(token).catch((e) => e);
    tokens.fail(token, 'Rejected', 'not today');
    await expect(waiting).resolves.toMatchObject({
      name: 'Rejected',
      message: 'not today',
    });
  });

  it('names errors as the real API: InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput', () => {
    const tokens = new TaskTokens();
    expect(() => tokens.succeed('nope', '{}')).toThrow(expect.objectContaining({ name: 'InvalidToken' }));
    const never = Buffer.alloc(48).toString('base64url');
    expect(() => tokens.heartbeat(never)).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
    const token = tokens.create(meta);
    expect(() => tokens.succeed(token, 'not json')).toThrow(
      expect.objectContaining({ name: 'InvalidOutput' }),
    );
    tokens.succeed(token, '1');
    expect(() => tokens.succeed(token, '1')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(() => tokens.fail(token, 'E', 'c')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('closes a token at the task timeout, and fails it without heartbeats in time', async () => {
    vi.useFakeTimers();
    const tokens = new TaskTokens();
    const timed = tokens.create({ ...meta, timeoutSeconds: 10 });
    const beating = tokens.create({ ...meta, heartbeatSeconds: 5 });
    const timedOut = tokens.wait(timed).catch((e) => e);
    const silent = tokens.wait(beating).catch((e) => e);
    vi.advanceTimersByTime(4000);
    tokens.heartbeat(beating);
    vi.advanceTimersByTime(4000);
    tokens.heartbeat(beating);
    vi.advanceTimersByTime(2500);
    await expect(timedOut).resolves.toMatchObject({ name: 'States.Timeout' });
    expect(() => tokens.succeed(timed, '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(tokens.open().map((o) => o.token)).toEqual([beating]);
    vi.advanceTimersByTime(5000);
    await expect(silent).resolves.toMatchObject({ name: 'States.HeartbeatTimeout' });
  });

  it('closes every token of a stopped execution', async () => {
    const tokens = new TaskTokens();
    const mine = tokens.create(meta);
    const other = tokens.create({ ...meta, executionArn: `${meta.executionArn}2` });
    const waiting = tokens.wait(mine).catch((e) => e);
    tokens.closeExecution(meta.executionArn);
    await expect(waiting).resolves.toBeInstanceOf(Error);
    expect(() => tokens.heartbeat(mine)).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(tokens.open().map((o) => o.token)).toEqual([other]);
  });
});
