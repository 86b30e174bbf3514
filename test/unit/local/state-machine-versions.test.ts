import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runnableMachine } from '../../../infra/local/runnable-machine.js';
import { PublishedVersions } from '../../../infra/local/state-machine-versions.js';
import { stateMachinesOf } from '../../../infra/local/template.js';
import type { CfnTemplate } from '../../../infra/synth.js';
import { DEFINITION_VERSION_METADATA } from '../../../infra/workflow-versions.js';

const dir = mkdtempSync(join(tmpdir(), 'published-versions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A template of one state machine whose only state says `comment`, with a version per entry of `versions`, the alias on the last. */
const templateOf = (comment: string, versions: Record<string, string>): CfnTemplate => {
  const ids = Object.keys(versions).map((v) => `Version${v}`);
  return {
    Resources: {
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'flow',
          DefinitionString: JSON.stringify({
            StartAt: 'A',
            States: { A: { Type: 'Pass', Comment: comment, End: true } },
          }),
        },
      },
      ...Object.fromEntries(
        Object.entries(versions).map(([version, hash]) => [
          `Version${version}`,
          {
            Type: 'AWS::StepFunctions::StateMachineVersion',
            Properties: { StateMachineArn: { Ref: 'Machine' }, Description: `flow v${version} (${hash})` },
            Metadata: { [DEFINITION_VERSION_METADATA]: version },
          },
        ]),
      ),
      Alias: {
        Type: 'AWS::StepFunctions::StateMachineAlias',
        Properties: {
          Name: 'current',
          RoutingConfiguration: [{ StateMachineVersionArn: { Ref: ids.at(-1) }, Weight: 100 }],
        },
      },
    },
  };
};

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:flow';
const commentsOf = (published: PublishedVersions, template: CfnTemplate) => {
  const machines = stateMachinesOf(template, { region: 'us-east-1' }).map(runnableMachine);
  const versions = published.machinesFor(template, 'us-east-1', machines);
  return Object.fromEntries(
    [...versions].map(([arn, m]) => [
      arn.slice(ARN.length + 1),
      (m.local.definition as { States: { A: { Comment: string } } }).States.A.Comment,
    ]),
  );
};

describe('the local stack publishes state machine versions as CloudFormation does', () => {
  const file = join(dir, 'versions.json');

  it('publishes a version first seen with the definition of that moment, and keeps it after a restart', () => {
    expect(commentsOf(new PublishedVersions(file), templateOf('one', { '2': 'h2' }))).toEqual({ '2': 'one' });
    // A restart (a new process) with a new version: 2 keeps what it was published with.
    expect(commentsOf(new PublishedVersions(file), templateOf('two', { '2': 'h2', '3': 'h3' }))).toEqual({
      '2': 'one',
      '3': 'two',
    });
  });

  it('runs the current version as compiled now, and publishes a version again when its definition changed without a new version', () => {
    const published = new PublishedVersions(file);
    expect(commentsOf(published, templateOf('recompiled', { '2': 'h2', '3': 'h3' }))).toEqual({
      '2': 'one',
      '3': 'recompiled',
    });
    expect(commentsOf(published, templateOf('edited', { '2': 'h2-edited', '3': 'h3' }))).toEqual({
      '2': 'edited',
      '3': 'edited',
    });
  });

  it('keeps nothing without a file', () => {
    expect(commentsOf(new PublishedVersions(), templateOf('fresh', { '2': 'h2' }))).toEqual({ '2': 'fresh' });
  });
});
