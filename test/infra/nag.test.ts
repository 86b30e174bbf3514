import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { addNagChecks, STAR_RESOURCE_ACTIONS } from '../../infra/nag.js';

const synthWithNag = (context: Record<string, string>) => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'nag-')),
    context: { stage: 'dev', ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = buildApp(app);
  addNagChecks(app);
  return { app, stack };
};

type Statement = { Action: string | string[]; Resource: unknown };

describe('security checks', () => {
  it.each<Record<string, string>>([{ stage: 'dev' }, { stage: 'prod', apiAuth: 'apiKey' }])(
    'passes the AWS Solutions rule pack with every finding acknowledged in code (%j)',
    (context) => {
      const { app } = synthWithNag(context);
      expect(() => app.synth()).not.toThrow();
    },
  );

  it('names "*" as a resource only for actions IAM grants on "*", and never "*" as an action', () => {
    const { app, stack } = synthWithNag({});
    const template = app.synth().getStackArtifact(stack.artifactId).template as {
      Resources: Record<
        string,
        { Type: string; Properties: { PolicyDocument?: { Statement: Statement[] } } }
      >;
    };
    const statements = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument?.Statement ?? []);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      const actions = [statement.Action].flat();
      for (const action of actions) expect(action).not.toMatch(/(^\*$|:\*$)/);
      if (statement.Resource === '*') {
        for (const action of actions) expect(STAR_RESOURCE_ACTIONS).toContain(action);
      }
    }
  });
});
