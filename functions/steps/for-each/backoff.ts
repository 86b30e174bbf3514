/** The step's backoff before retry `retry` (1-based): 1 s, 2 s, 4 s … capped, full jitter when asked. */
export const backoffSeconds = (
  retry: number,
  policy: { maxDelay: number; jitter: boolean },
  random: () => number = Math.random,
): number => {
  const wait = Math.min(2 ** (retry - 1), policy.maxDelay);
  return policy.jitter ? random() * wait : wait;
};

/** A plain global timer, so tests can drive it with fake timers. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` on every input, at most `limit` at a time, keeping input order in the output. */
export const mapPool = async <T, R>(
  inputs: readonly T[],
  limit: number,
  work: (input: T) => Promise<R>,
): Promise<R[]> => {
  const output = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const at = next++;
      output[at] = await work(inputs[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return output;
};
