/** The one account every local resource lives in: no real account is ever involved. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface LocalIdentity {
  readonly region: string;
  /** @default LOCAL_ACCOUNT_ID */
  readonly accountId?: string;
}

const account = (id: LocalIdentity): string => id.accountId ?? LOCAL_ACCOUNT_ID;

export const tableArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:dynamodb:${id.region}:${account(id)}:table/${name}`;

export const functionArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:lambda:${id.region}:${account(id)}:function:${name}`;

export const stateMachineArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:states:${id.region}:${account(id)}:stateMachine:${name}`;

export const queueArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:sqs:${id.region}:${account(id)}:${name}`;

/** Not a reachable queue: SQS is not served locally, but handlers may still carry the URL. */
export const queueUrl = (id: LocalIdentity, name: string): string =>
  `http://sqs.${id.region}.localhost/${account(id)}/${name}`;

export const eventBusArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:events:${id.region}:${account(id)}:event-bus/${name}`;

export const ruleArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:events:${id.region}:${account(id)}:rule/${name}`;

export const logGroupArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:logs:${id.region}:${account(id)}:log-group:${name}:*`;

export const roleArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:iam::${account(id)}:role/${name}`;

export const topicArn = (id: LocalIdentity, name: string): string =>
  `arn:aws:sns:${id.region}:${account(id)}:${name}`;

/** The name part of a Lambda ARN (qualifier dropped), or the value itself when it is already a name. */
export const functionNameOf = (arnOrName: string): string => {
  const match = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arnOrName);
  return match ? (match[1] as string) : (arnOrName.split(':')[0] as string);
};
