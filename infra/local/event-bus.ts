import { randomUUID } from 'node:crypto';
import type { CfnTemplate } from '../synth.js';
import { matchesPattern } from './event-pattern.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';
import { resolveIntrinsics, resourcesOfType } from './template.js';

export interface LocalRuleTarget {
  readonly arn: string;
  readonly input?: string;
  readonly maximumRetryAttempts: number;
}

export interface LocalRule {
  readonly logicalId: string;
  /** `default` for AWS service events such as Step Functions status changes. */
  readonly eventBusName: string;
  readonly pattern?: Record<string, unknown>;
  /** Minutes between runs of a `rate(...)` schedule. */
  readonly everyMinutes?: number;
  readonly targets: readonly LocalRuleTarget[];
}

const rateMinutes = (expression: string): number | undefined => {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) return undefined;
  const unit = match[2]?.startsWith('hour') ? 60 : match[2]?.startsWith('day') ? 1440 : 1;
  return Number(match[1]) * unit;
};

/** The enabled rules of the template, with patterns, schedules and Lambda targets resolved. */
export const rulesOf = (template: CfnTemplate, region: string): LocalRule[] =>
  resourcesOfType(template, 'AWS::Events::Rule').flatMap(({ logicalId, resource }) => {
    const props = resolveIntrinsics(resource.Properties ?? {}, template, { region }) as {
      State?: string;
      EventBusName?: string;
      EventPattern?: Record<string, unknown>;
      ScheduleExpression?: string;
      Targets?: { Arn: string; Input?: string; RetryPolicy?: { MaximumRetryAttempts?: number } }[];
    };
    if (props.State === 'DISABLED') return [];
    const everyMinutes = props.ScheduleExpression ? rateMinutes(props.ScheduleExpression) : undefined;
    return [
      {
        logicalId,
        eventBusName: (props.EventBusName ?? 'default').split('/').pop() ?? 'default',
        ...(props.EventPattern ? { pattern: props.EventPattern } : {}),
        ...(everyMinutes ? { everyMinutes } : {}),
        targets: (props.Targets ?? [])
          .filter((t) => t.Arn.includes(':lambda:'))
          .map((t) => ({
            arn: t.Arn,
            ...(t.Input ? { input: t.Input } : {}),
            maximumRetryAttempts: t.RetryPolicy?.MaximumRetryAttempts ?? 185,
          })),
      },
    ];
  });

export interface LocalEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
  readonly resources?: readonly string[];
}

export interface LocalEventBusOptions {
  readonly rules: readonly LocalRule[];
  readonly lambda: LocalLambdaRuntime;
  readonly region: string;
  /** Multiplies schedules (1 = real time). @default 1 */
  readonly scheduleScale?: number;
  /** Called with every delivery that failed all its attempts (the dead-letter queue, locally). */
  readonly onDeadLetter?: (rule: string, event: unknown, error: Error) => void;
}

/**
 * EventBridge for the local stack: events put on a bus go to the Lambda targets of the rules whose
 * pattern matches, with the target's retry policy; `rate(...)` schedules fire on timers.
 */
export class LocalEventBus {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Every event put on a bus, in order: what the tests and the terminal view read. */
  readonly log: { bus: string; event: LocalEvent }[] = [];

  constructor(private readonly options: LocalEventBusOptions) {}

  /** Puts an event on a bus (`default` for AWS service events) and delivers it to matching rules. */
  put(event: LocalEvent, bus = 'default'): void {
    const full = {
      version: '0',
      id: randomUUID(),
      account: '000000000000',
      region: this.options.region,
      time: new Date().toISOString(),
      resources: [],
      ...event,
    };
    this.log.push({ bus, event: full });
    for (const rule of this.options.rules) {
      if (
        rule.eventBusName !== bus ||
        !rule.pattern ||
        !matchesPattern(rule.pattern, full as Record<string, unknown>)
      )
        continue;
      for (const target of rule.targets) this.track(this.deliver(rule, target, full));
    }
  }

  /** Runs a scheduled rule's targets now (what the timer does). */
  trigger(logicalId: string): Promise<void> {
    const rule = this.options.rules.find((r) => r.logicalId === logicalId);
    if (!rule) throw new Error(`no rule ${logicalId}`);
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
    return Promise.all(rule.targets.map((t) => this.deliver(rule, t, event))).then(() => undefined);
  }

  startSchedules(): void {
    const scale = this.options.scheduleScale ?? 1;
    for (const rule of this.options.rules) {
      if (!rule.everyMinutes) continue;
      const timer = setInterval(
        () => this.track(this.trigger(rule.logicalId)),
        rule.everyMinutes * 60_000 * scale,
      );
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Resolves once every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(rule: LocalRule, target: LocalRuleTarget, event: unknown): Promise<void> {
    const payload = target.input ? JSON.parse(target.input) : event;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.lambda.invoke(target.arn, payload);
        return;
      } catch (error) {
        // The target's retry policy, capped at 2 locally: a broken handler should show up in seconds.
        if (attempt >= Math.min(target.maximumRetryAttempts, 2)) {
          this.options.onDeadLetter?.(rule.logicalId, event, error as Error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
}
