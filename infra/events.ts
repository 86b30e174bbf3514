import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { envName } from '../functions/config/environment.js';

export interface AppEventBusProps {
  /** Prefix of the bus name, e.g. `job-orchestrator-dev-`. */
  readonly namePrefix: string;
}

/**
 * The app's own EventBridge bus: workflow status and progress events for a job service to follow
 * (README "Events"). Step Functions' own status changes stay on the default bus, where AWS puts them.
 */
export class AppEventBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: AppEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `${props.namePrefix}events` });
  }

  /** Lets a function publish: the bus name in EVENT_BUS_NAME and events:PutEvents on this bus only. */
  attachTo(fn: lambda.Function): void {
    fn.addEnvironment(envName('eventBus'), this.bus.eventBusName);
    this.bus.grantPutEventsTo(fn);
  }
}
