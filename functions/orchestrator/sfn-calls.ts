/** Errors of Step Functions that mean "already done": a retried call must not fail on them. */
const ALREADY_DONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken', 'ExecutionDoesNotExist']);

/** Awaits a Step Functions call whose work may be done already (a stopped execution, a used token). */
export const ignoreAlreadyDone = async (call: Promise<unknown>): Promise<void> => {
  try {
    await call;
  } catch (error) {
    if (!ALREADY_DONE.has((error as Error).name)) throw error;
  }
};
