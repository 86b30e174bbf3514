import type { Construct } from 'constructs';

/**
 * A true/false CDK context value, or an error naming it: `-c name=true` arrives as the string
 * 'true', cdk.json and in-process apps give a boolean.
 */
export const booleanContext = (scope: Construct, name: string, fallback: boolean): boolean => {
  const value: unknown = scope.node.tryGetContext(name) ?? fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context "${name}" must be true or false (got ${JSON.stringify(value)})`);
};
