import type { CfnTemplate } from '../synth.js';
import { type LocalStateMachine, resolveIntrinsics } from './template.js';

/** The fields of the SDK's DescribeStateMachineOutput this emulation fills. */
export interface StateMachineDescription {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: 'ACTIVE';
  /** The Amazon States Language definition, as JSON text (intrinsics resolved to local values). */
  readonly definition: string;
  readonly roleArn?: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: Date;
  readonly loggingConfiguration?: {
    level?: string;
    includeExecutionData?: boolean;
    destinations?: { cloudWatchLogsLogGroup: { logGroupArn: string } }[];
  };
  readonly tracingConfiguration?: { enabled: boolean };
}

interface CfnStateMachineProperties {
  StateMachineType?: 'STANDARD' | 'EXPRESS';
  LoggingConfiguration?: {
    Level?: string;
    IncludeExecutionData?: boolean;
    Destinations?: { CloudWatchLogsLogGroup?: { LogGroupArn?: unknown } }[];
  };
  TracingConfiguration?: { Enabled?: boolean };
}

/**
 * DescribeStateMachine's answer for a state machine of the template: its definition, role, type,
 * logging and tracing settings as the template sets them, and when this process first served it.
 */
export const describeStateMachine = (
  template: CfnTemplate,
  machine: LocalStateMachine,
  options: { region: string; creationDate: Date },
): StateMachineDescription => {
  const props = (template.Resources[machine.logicalId]?.Properties ?? {}) as CfnStateMachineProperties;
  const logging = props.LoggingConfiguration;
  const destinations = (logging?.Destinations ?? []).flatMap((destination) => {
    const arn = destination.CloudWatchLogsLogGroup?.LogGroupArn;
    if (arn === undefined) return [];
    const logGroupArn = resolveIntrinsics(arn, template, { region: options.region });
    return [{ cloudWatchLogsLogGroup: { logGroupArn: String(logGroupArn) } }];
  });
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: JSON.stringify(machine.definition),
    ...(machine.roleArn ? { roleArn: machine.roleArn } : {}),
    type: props.StateMachineType ?? 'STANDARD',
    creationDate: options.creationDate,
    ...(logging
      ? {
          loggingConfiguration: {
            ...(logging.Level ? { level: logging.Level } : {}),
            ...(logging.IncludeExecutionData !== undefined
              ? { includeExecutionData: logging.IncludeExecutionData }
              : {}),
            ...(destinations.length > 0 ? { destinations } : {}),
          },
        }
      : {}),
    ...(props.TracingConfiguration
      ? { tracingConfiguration: { enabled: props.TracingConfiguration.Enabled === true } }
      : {}),
  };
};
