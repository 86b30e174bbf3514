/**
 * Step Functions' payload quota: a state's input or output, or a task's result, over 256 KiB of
 * UTF-8 JSON fails the execution with States.DataLimitExceeded, which no Catch can take. The local
 * engine enforces it on the states of the definition so that local green means AWS green; data the
 * engine moves on the service's behalf (items a Map reads from S3) is exempt, as on AWS.
 */
export const DATA_LIMIT_BYTES = 256 * 1024;
export const DATA_LIMIT_ERROR = 'States.DataLimitExceeded';

/** Bytes of a value as the service counts them (UTF-8 JSON). */
export const payloadBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? null));

/** The cause AWS would give, when the value is over the limit; undefined otherwise. */
export const dataLimitCause = (value: unknown, what: string): string | undefined => {
  const bytes = payloadBytes(value);
  return bytes > DATA_LIMIT_BYTES
    ? `The ${what} has ${bytes} bytes, over the maximum of ${DATA_LIMIT_BYTES} bytes (256 KiB)`
    : undefined;
};
