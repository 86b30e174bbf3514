/**
 * How every AWS SDK client of the runtime retries a failed call: the SDK's `standard` mode
 * (exponential backoff with full jitter, a longer base for throttling, a retry quota that stops a
 * retry storm) with 5 attempts in all, rather than the SDK's default of 3. At a 10 % fault rate a
 * call then fails for good once in 100,000 rather than once in 1,000; the waits add up to about
 * 1.5 s at most (7.5 s when throttled), well within the API's 29 s. The SDK's own variables
 * (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`) still win where they are set.
 *
 * Retrying is safe because every write is: conditional writes recognise their own earlier effect
 * (functions/repositories/conditions.ts, `updateIf`), executions are started by name, and task
 * tokens are answered once.
 */
export const SDK_MAX_ATTEMPTS = 5;

export const sdkRetryConfig = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): { maxAttempts?: number; retryMode?: string } => ({
  ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: SDK_MAX_ATTEMPTS }),
  ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'standard' }),
});
