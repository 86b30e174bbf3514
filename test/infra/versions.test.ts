import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { step } from '../../state-machines/dsl.js';
import { workflowDefinitions } from '../../state-machines/registry.js';
import { defineWorkflow } from '../../state-machines/validate.js';
import { readVersions, versionHash } from '../../state-machines/versions.js';

/*
 * Versions (README, "Versions"), on the synthesized template: a Step Functions version per recorded
 * definition version, the alias `current` on the newest, the map the API and recovery start runs
 * with, and StartExecution on those versions only.
 */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

const templateOf = (definitions = workflowDefinitions) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(buildApp(app, { definitions }));
};

const ofType = (template: Template, type: string): [string, Json][] =>
  Object.entries(template.toJSON().Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

const machineIdOf = (template: Template, name: string): string =>
  ofType(template, 'AWS::StepFunctions::StateMachine').find(([, r]) =>
    r.Properties.StateMachineName?.endsWith(`-${name}`),
  )?.[0] as string;

const versionsOf = (template: Template, name: string) =>
  ofType(template, 'AWS::StepFunctions::StateMachineVersion').filter(
    ([, r]) => r.Properties.StateMachineArn.Ref === machineIdOf(template, name),
  );

const envOf = (template: Template, logicalIdPart: string): Record<string, Json> =>
  ofType(template, 'AWS::Lambda::Function').find(([id]) => id.includes(logicalIdPart))?.[1].Properties
    .Environment.Variables;

describe('definition versions in the template', () => {
  const template = templateOf();

  it.each(workflowDefinitions.map((d) => [d.name, d] as const))(
    '%s: one retained Step Functions version per recorded version, the alias `current` on the newest',
    (name, definition) => {
      const versions = versionsOf(template, name);
      const recorded = Object.keys(readVersions()[name]?.versions ?? {});
      expect(versions).toHaveLength(recorded.length);
      for (const [, resource] of versions) {
        expect(resource.DeletionPolicy).toBe('Retain');
        // No revision id: the properties never change, so a deploy never publishes an existing version again.
        expect(resource.Properties.StateMachineRevisionId).toBeUndefined();
      }
      const current = versions.find(([, r]) =>
        r.Properties.Description.startsWith(`${name} v${definition.version} `),
      );
      expect(current?.[1].Properties.Description).toContain(versionHash(definition));
      const alias = ofType(template, 'AWS::StepFunctions::StateMachineAlias').find(
        ([, r]) => r.Properties.RoutingConfiguration[0].StateMachineVersionArn.Ref === current?.[0],
      );
      expect(alias?.[1].Properties).toMatchObject({
        Name: 'current',
        RoutingConfiguration: [{ Weight: 100 }],
      });
    },
  );

  it('gives the API and the recovery functions the map of definition → version → version ARN', () => {
    for (const fn of ['ControlApiHandler', 'RecoveryHandler', 'RecoveryStartRun', 'RecoveryReconciler']) {
      const value = JSON.stringify(envOf(template, fn)?.STATE_MACHINE_VERSIONS);
      for (const definition of workflowDefinitions) {
        expect(value).toContain(`\\"${definition.name}\\":{\\"${definition.version}\\":\\"`);
        for (const [id] of versionsOf(template, definition.name)) expect(value).toContain(id);
      }
    }
    expect(template.toJSON().Outputs.StateMachineVersions).toBeDefined();
  });

  it('allows StartExecution on the published versions only, never on the latest definition', () => {
    const versionIds = new Set(ofType(template, 'AWS::StepFunctions::StateMachineVersion').map(([id]) => id));
    const machineIds = new Set(ofType(template, 'AWS::StepFunctions::StateMachine').map(([id]) => id));
    const starts = ofType(template, 'AWS::IAM::Policy').flatMap(([id, r]) =>
      (r.Properties.PolicyDocument.Statement as Json[])
        .filter((s) => [s.Action].flat().includes('states:StartExecution'))
        .map((s) => ({ id, resources: [s.Resource].flat() as Json[] })),
    );
    const workflowStarts = ['ControlApi', 'RecoveryStartRun', 'RecoveryReconciler'].map((fn) =>
      starts.filter(({ id }) => id.startsWith(fn)).flatMap(({ resources }) => resources),
    );
    for (const resources of workflowStarts) {
      const workflowRefs = resources.map((r) => r.Ref).filter((ref) => ref && !ref.includes('DelayedStart'));
      expect(workflowRefs.length).toBe(versionIds.size);
      for (const ref of workflowRefs) {
        expect(versionIds.has(ref)).toBe(true);
        expect(machineIds.has(ref)).toBe(false);
      }
    }
  });

  it('keeps the earlier version and the Lambdas of the steps only it has when a new version drops them', () => {
    const v3 = defineWorkflow({
      name: 'dataset-smoke',
      version: '3',
      description: 'two steps',
      steps: [
        step({ name: 'list', taskType: 'list', handler: 'functions/steps/list.ts', timeout: 5 }),
        step({
          name: 'package',
          taskType: 'package',
          handler: 'functions/steps/package.ts',
          dependencies: ['list'],
        }),
      ],
    });
    const changed = templateOf([v3]);
    const versions = versionsOf(changed, 'dataset-smoke').map(([, r]) => r.Properties.Description as string);
    expect(versions).toEqual([
      expect.stringMatching(/^dataset-smoke v2 /),
      expect.stringMatching(/^dataset-smoke v3 /),
    ]);
    const alias = ofType(changed, 'AWS::StepFunctions::StateMachineAlias')[0]?.[1];
    const v3Id = versionsOf(changed, 'dataset-smoke').find(([, r]) =>
      r.Properties.Description.includes(' v3 '),
    )?.[0];
    expect(alias.Properties.RoutingConfiguration[0].StateMachineVersionArn.Ref).toBe(v3Id);
    // Version 2 still invokes label: its Lambda stays, and the state machine may invoke it.
    const label = ofType(changed, 'AWS::Lambda::Function').find(([, r]) =>
      String(r.Properties.Description).startsWith('dataset-smoke step 4 label'),
    );
    expect(label).toBeDefined();
    const invokes = JSON.stringify(ofType(changed, 'AWS::IAM::Policy'));
    expect(invokes).toContain(label?.[0]);
  });
});
