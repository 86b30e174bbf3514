import type { CfnTemplate } from '../synth.js';
import { ENTRY_METADATA_KEY } from '../template-keys.js';
import { DEFINITION_VERSION_METADATA } from '../workflow-versions.js';
import * as arns from './arns.js';

export interface ResolveOptions {
  readonly region: string;
  /** @default arns.LOCAL_ACCOUNT_ID */
  readonly accountId?: string;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

type Resolve = (value: unknown) => unknown;

const defaultIdentity = (): ResolveOptions => ({ region: process.env.AWS_REGION ?? 'us-east-1' });

/** Every resource of one CloudFormation type, with its logical id. */
export const resourcesOfType = (
  template: CfnTemplate,
  type: string,
): { logicalId: string; resource: CfnResource }[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, resource: resource as CfnResource }));

const resourceOf = (template: CfnTemplate, logicalId: string): CfnResource => {
  const resource = template.Resources[logicalId] as CfnResource | undefined;
  if (!resource) throw new Error(`template has no resource or parameter "${logicalId}"`);
  return resource;
};

/** A name-like property, resolved, or the logical id when CloudFormation would have generated one. */
const nameOf = (resource: CfnResource, property: string, logicalId: string, resolve: Resolve): string => {
  const value = resource.Properties?.[property];
  return value === undefined ? logicalId : String(resolve(value));
};

/**
 * A bucket's name: its BucketName, resolved, else (CloudFormation would generate one, lower-case)
 * its logical id in lower case, which S3 accepts as a bucket name.
 */
const bucketNameOf = (resource: CfnResource, logicalId: string, resolve: Resolve): string => {
  const value = resource.Properties?.BucketName;
  return value === undefined ? logicalId.toLowerCase().slice(0, 63) : String(resolve(value));
};

/**
 * What Ref and Fn::GetAtt return locally, per resource type: names stay the template's names and
 * ARNs are built in the local account, so handlers see values shaped like the deployed ones.
 */
const identityOf = (
  template: CfnTemplate,
  logicalId: string,
  attribute: string | undefined,
  id: ResolveOptions,
  resolve: Resolve,
): string => {
  const resource = resourceOf(template, logicalId);
  const name = (property: string) => nameOf(resource, property, logicalId, resolve);
  const attr = attribute ?? 'Ref';
  const table: Record<string, Record<string, () => string>> = {
    'AWS::DynamoDB::Table': {
      Ref: () => name('TableName'),
      Arn: () => arns.tableArn(id, name('TableName')),
      StreamArn: () => `${arns.tableArn(id, name('TableName'))}/stream/local`,
    },
    // Ref of a function is its name on AWS too; both forms are accepted wherever a function is invoked.
    'AWS::Lambda::Function': {
      Ref: () => name('FunctionName'),
      Arn: () => arns.functionArn(id, name('FunctionName')),
    },
    'AWS::StepFunctions::StateMachine': {
      Ref: () => arns.stateMachineArn(id, name('StateMachineName')),
      Arn: () => arns.stateMachineArn(id, name('StateMachineName')),
      Name: () => name('StateMachineName'),
    },
    // A version's qualifier is its definition version here (AWS numbers them): README, "Versions".
    'AWS::StepFunctions::StateMachineVersion': {
      Ref: () => versionArnOf(resource, logicalId, resolve),
      Arn: () => versionArnOf(resource, logicalId, resolve),
    },
    'AWS::StepFunctions::StateMachineAlias': {
      Ref: () => aliasArnOf(resource, logicalId, resolve),
      Arn: () => aliasArnOf(resource, logicalId, resolve),
    },
    'AWS::SQS::Queue': {
      Ref: () => arns.queueUrl(id, name('QueueName')),
      Arn: () => arns.queueArn(id, name('QueueName')),
      QueueName: () => name('QueueName'),
      QueueUrl: () => arns.queueUrl(id, name('QueueName')),
    },
    'AWS::Events::EventBus': {
      Ref: () => name('Name'),
      Name: () => name('Name'),
      Arn: () => arns.eventBusArn(id, name('Name')),
    },
    'AWS::Events::Rule': { Ref: () => name('Name'), Arn: () => arns.ruleArn(id, name('Name')) },
    'AWS::Logs::LogGroup': {
      Ref: () => name('LogGroupName'),
      Arn: () => arns.logGroupArn(id, name('LogGroupName')),
    },
    'AWS::IAM::Role': { Ref: () => name('RoleName'), Arn: () => arns.roleArn(id, name('RoleName')) },
    'AWS::S3::Bucket': {
      Ref: () => bucketNameOf(resource, logicalId, resolve),
      Arn: () => `arn:aws:s3:::${bucketNameOf(resource, logicalId, resolve)}`,
      DomainName: () => `${bucketNameOf(resource, logicalId, resolve)}.s3.amazonaws.com`,
      RegionalDomainName: () => `${bucketNameOf(resource, logicalId, resolve)}.s3.${id.region}.amazonaws.com`,
    },
    'AWS::SNS::Topic': {
      Ref: () => arns.topicArn(id, name('TopicName')),
      TopicArn: () => arns.topicArn(id, name('TopicName')),
    },
  };
  const build = table[resource.Type]?.[attr];
  if (!build) {
    const what = attribute ? `Fn::GetAtt ${logicalId}.${attribute}` : `Ref ${logicalId}`;
    throw new Error(
      `cannot resolve ${what}: no local value for ${resource.Type}${attribute ? `.${attribute}` : ''}`,
    );
  }
  return build();
};

const versionArnOf = (resource: CfnResource, logicalId: string, resolve: Resolve): string =>
  `${String(resolve(resource.Properties?.StateMachineArn))}:${String(resource.Metadata?.[DEFINITION_VERSION_METADATA] ?? logicalId)}`;

/** An alias's ARN: its state machine's (that of the version it routes to), qualified by its name. */
const aliasArnOf = (resource: CfnResource, logicalId: string, resolve: Resolve): string => {
  const routes = resource.Properties?.RoutingConfiguration as
    | { StateMachineVersionArn: unknown }[]
    | undefined;
  const version = String(resolve(routes?.[0]?.StateMachineVersionArn));
  return `${version.slice(0, version.lastIndexOf(':'))}:${nameOf(resource, 'Name', logicalId, resolve)}`;
};

const PSEUDO: Record<string, (id: ResolveOptions) => string> = {
  'AWS::Region': (id) => id.region,
  'AWS::AccountId': (id) => id.accountId ?? arns.LOCAL_ACCOUNT_ID,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': () => 'local',
};

/**
 * Resolves the intrinsic functions CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, pseudo parameters) against local identities. Anything else fails loudly, naming
 * what it could not resolve, rather than leaking an unresolved object into a handler's env.
 */
export const resolveIntrinsics = (
  value: unknown,
  template: CfnTemplate,
  options: ResolveOptions,
): unknown => {
  const resolve: Resolve = (v) => resolveIntrinsics(v, template, options);
  const ref = (name: string): unknown => {
    const pseudo = PSEUDO[name];
    if (pseudo) return pseudo(options);
    const parameter = (template.Parameters as Record<string, { Default?: unknown }> | undefined)?.[name];
    if (parameter && 'Default' in parameter) return parameter.Default;
    return identityOf(template, name, undefined, options, resolve);
  };
  const getAtt = (logicalId: string, attribute: string) =>
    identityOf(template, logicalId, attribute, options, resolve);

  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  if (entries.length !== 1 || !key || !(key === 'Ref' || key.startsWith('Fn::'))) {
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  }
  switch (key) {
    case 'Ref':
      return ref(String(arg));
    case 'Fn::GetAtt': {
      const [logicalId, ...attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return getAtt(logicalId as string, attribute.join('.'));
    }
    case 'Fn::Join': {
      const [delimiter, list] = arg as [string, unknown[]];
      return (resolve(list) as unknown[]).map(String).join(delimiter);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = resolve(list) as unknown[];
      const at = Number(resolve(index));
      if (!Array.isArray(items) || !(at in items)) throw new Error(`Fn::Select index ${at} out of range`);
      return items[at];
    }
    case 'Fn::Split': {
      const [delimiter, source] = arg as [string, unknown];
      return String(resolve(source)).split(delimiter);
    }
    case 'Fn::Sub': {
      const [text, variables] = Array.isArray(arg)
        ? (arg as [string, Record<string, unknown>])
        : [String(arg), {}];
      return text.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        if (name in variables) return String(resolve(variables[name]));
        const dot = name.indexOf('.');
        if (dot > 0 && !name.startsWith('AWS::'))
          return String(getAtt(name.slice(0, dot), name.slice(dot + 1)));
        return String(ref(name));
      });
    }
    default:
      throw new Error(`unsupported intrinsic function ${key}`);
  }
};

export interface LocalFunction {
  readonly logicalId: string;
  /** The name the function gets: its FunctionName, else its logical id. */
  readonly name: string;
  readonly arn: string;
  /** Handler module relative to the repo root; undefined for functions the app did not write (CDK providers). */
  readonly entry: string | undefined;
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

/** Every Lambda of the template, with the module the local stack runs for it. */
export const functionsOf = (
  template: CfnTemplate,
  options: ResolveOptions = defaultIdentity(),
): LocalFunction[] =>
  resourcesOfType(template, 'AWS::Lambda::Function').map(({ logicalId, resource }) => {
    const props = resource.Properties ?? {};
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    const resolve: Resolve = (v) => resolveIntrinsics(v, template, options);
    const name = nameOf(resource, 'FunctionName', logicalId, resolve);
    const variables = (props.Environment as { Variables?: unknown } | undefined)?.Variables;
    return {
      logicalId,
      name,
      arn: arns.functionArn(options, name),
      entry: typeof entry === 'string' ? entry : undefined,
      // A provider's environment may point at things that have no local meaning: only ours is resolved.
      environment:
        typeof entry === 'string' && variables
          ? Object.fromEntries(Object.entries(resolve(variables) as object).map(([k, v]) => [k, String(v)]))
          : {},
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
      memorySize: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
    };
  });

export interface LocalStateMachine {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string | undefined;
  /** The Amazon States Language definition, parsed. */
  readonly definition: Record<string, unknown>;
}

/** Every state machine of the template, with its ASL resolved (CDK writes it as an Fn::Join). */
export const stateMachinesOf = (
  template: CfnTemplate,
  options: ResolveOptions = defaultIdentity(),
): LocalStateMachine[] =>
  resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(({ logicalId, resource }) => {
    const props = resource.Properties ?? {};
    const resolve: Resolve = (v) => resolveIntrinsics(v, template, options);
    const name = nameOf(resource, 'StateMachineName', logicalId, resolve);
    let text = props.DefinitionString !== undefined ? resolve(props.DefinitionString) : props.Definition;
    if (typeof text !== 'string') text = JSON.stringify(resolve(text));
    const substitutions = (resolve(props.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(substitutions))
      text = (text as string).replaceAll(`\${${key}}`, String(value));
    return {
      logicalId,
      name,
      arn: arns.stateMachineArn(options, name),
      roleArn: props.RoleArn === undefined ? undefined : String(resolve(props.RoleArn)),
      definition: JSON.parse(text as string) as Record<string, unknown>,
    };
  });

export interface LocalStateMachineVersion {
  readonly logicalId: string;
  /** The ARN of the state machine it is a version of. */
  readonly machineArn: string;
  /** Its own ARN (the machine's, qualified by the definition version). */
  readonly arn: string;
  /** Names the definition version and its hash: what it publishes. */
  readonly description: string;
  /** An alias routes to it: the definition's current version. */
  readonly current: boolean;
}

/** Every Step Functions version of the template (infra/workflow-versions.ts), with its ARNs. */
export const stateMachineVersionsOf = (
  template: CfnTemplate,
  options: ResolveOptions = defaultIdentity(),
): LocalStateMachineVersion[] => {
  const routed = new Set(
    resourcesOfType(template, 'AWS::StepFunctions::StateMachineAlias').flatMap(({ resource }) =>
      (
        (resource.Properties?.RoutingConfiguration ?? []) as { StateMachineVersionArn?: { Ref?: string } }[]
      ).map((route) => route.StateMachineVersionArn?.Ref),
    ),
  );
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachineVersion').map(
    ({ logicalId, resource }) => {
      const resolve: Resolve = (v) => resolveIntrinsics(v, template, options);
      return {
        logicalId,
        machineArn: String(resolve(resource.Properties?.StateMachineArn)),
        arn: versionArnOf(resource, logicalId, resolve),
        description: String(resource.Properties?.Description ?? ''),
        current: routed.has(logicalId),
      };
    },
  );
};
