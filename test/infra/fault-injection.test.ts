import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';

/** The template `cdk synth` makes for a stage, with the context a user passes (`-c key=value`). */
const templateOf = (context: Record<string, unknown>) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(buildApp(app));
};

/** FAULT_INJECTION of every Lambda function of a template. */
const faultSettings = (template: Template): unknown[] =>
  Object.values(
    template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
    >,
  ).map((fn) => fn.Properties.Environment?.Variables?.FAULT_INJECTION);

describe('fault injection in deployed stages', () => {
  it.each([{ stage: 'dev' }, { stage: 'prod' }, { stage: 'prod', apiAuth: 'apiKey' }])(
    'is off in %o unless asked for',
    (context) => {
      const settings = faultSettings(templateOf(context));
      expect(settings.length).toBeGreaterThan(5);
      expect(settings.every((value) => value === undefined)).toBe(true);
    },
  );

  it('is on for every function of a stage deployed with -c faultInjection=true', () => {
    for (const faultInjection of [true, 'true'])
      expect(new Set(faultSettings(templateOf({ stage: 'e2e', faultInjection })))).toEqual(new Set(['on']));
  });

  it('refuses a context value that is not a boolean', () => {
    expect(() => templateOf({ stage: 'dev', faultInjection: 'yes' })).toThrow(
      'context "faultInjection" must be true or false (got "yes")',
    );
  });
});
