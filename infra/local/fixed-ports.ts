/**
 * Fixed ports for the local servers (`npm start -- --dynamodb-port 8000 ...`, or the variables
 * themselves): each server takes its variable's port when its caller names none, else a free one.
 * Every server of that kind this process starts takes it, so they are for `npm start`, not for a
 * test run (which starts many).
 */
export const PORT_VARIABLES = {
  dynamodb: 'LOCAL_DYNAMODB_PORT',
  s3: 'LOCAL_S3_PORT',
  sfn: 'LOCAL_SFN_PORT',
  eventbridge: 'LOCAL_EVENTBRIDGE_PORT',
} as const;

export type LocalService = keyof typeof PORT_VARIABLES;

/** A port number, or an error naming where it came from. */
export const parsePort = (value: string, source: string): number => {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${source} must be a port number from 1 to 65535 (got ${value})`);
  return port;
};

/** The port the service's variable fixes, if it is set. */
export const fixedPort = (service: LocalService): number | undefined => {
  const name = PORT_VARIABLES[service];
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : parsePort(value, name);
};
