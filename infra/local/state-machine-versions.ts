import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CfnTemplate } from '../synth.js';
import { type RunnableMachine, runnableMachine } from './runnable-machine.js';
import { stateMachineVersionsOf } from './template.js';

interface Published {
  readonly description: string;
  readonly definition: Record<string, unknown>;
}

/**
 * The Step Functions versions of the template, published as CloudFormation publishes them: a
 * version first seen takes its state machine's definition of that moment and keeps it, whatever
 * the state machine becomes later (README, "Versions"). With a file (beside the local stack's data,
 * docs/local-stack.md) the published definitions outlive the process, so a restart after a
 * definition changed still runs the earlier version's workflows on their own definition.
 */
export class PublishedVersions {
  /** Version ARN → the ASL it was published with, and the version's description (its hash). */
  private readonly published: Record<string, Published>;

  constructor(private readonly file?: string) {
    this.published =
      file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Published>) : {};
  }

  /** Each version of the template, by its ARN, ready to run (its executions belong to its state machine). */
  machinesFor(
    template: CfnTemplate,
    region: string,
    machines: readonly RunnableMachine[],
  ): Map<string, RunnableMachine> {
    const runnable = new Map<string, RunnableMachine>();
    let added = false;
    for (const version of stateMachineVersionsOf(template, { region })) {
      const machine = machines.find((m) => m.local.arn === version.machineArn);
      if (!machine) continue;
      const kept = this.published[version.arn];
      // A definition edited without a new version (which cdk synth refuses): locally, that version
      // is published again, so an edit is tried at once.
      if (kept && kept.description !== version.description)
        console.log(`notice: ${version.arn} changed without a new version: published again`);
      // The current version runs what the app compiles now (a compiler edit is tried at once, unlike
      // on AWS, where a published version never changes); earlier ones keep what they were published with.
      const recompiled =
        version.current && JSON.stringify(kept?.definition) !== JSON.stringify(machine.local.definition);
      if (!kept || kept.description !== version.description || recompiled) {
        this.published[version.arn] = {
          description: version.description,
          definition: machine.local.definition,
        };
        added = true;
      }
      const { definition } = this.published[version.arn] as Published;
      runnable.set(
        version.arn,
        definition === machine.local.definition ? machine : runnableMachine({ ...machine.local, definition }),
      );
    }
    if (added && this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(this.file, `${JSON.stringify(this.published)}\n`);
    }
    return runnable;
  }
}
