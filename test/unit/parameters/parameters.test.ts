import { describe, expect, it } from 'vitest';
import * as classic from 'zod';
import * as z from 'zod/mini';
import { ValidationError } from '../../../functions/domain/errors.js';
import { parametersJsonSchema } from '../../../functions/parameters/json-schema.js';
import { parseParameters } from '../../../functions/parameters/parse.js';
import { parameterSchemaId } from '../../../functions/parameters/registry.js';
import { parametersByDefinition } from '../../../functions/parameters/workflow-parameters.js';
import { DatasetParameters } from '../../../functions/steps/dataset/parameters.js';
import { checkParametersListed } from '../../../state-machines/catalog.js';
import { datasetBuild } from '../../../state-machines/definitions/dataset-build.js';
import { validateWorkflow } from '../../../state-machines/validate.js';

const schemaOf = (faultInjection: boolean) => {
  const schema = parametersByDefinition([datasetBuild], { faultInjection }).get('dataset-build');
  if (!schema) throw new Error('dataset-build declares parameters');
  return schema;
};

const problems = (schema: z.core.$ZodType, metadata: unknown) => {
  try {
    parseParameters(schema, metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
};

describe('fault-injection keys', () => {
  it('are part of the parameters only where fault injection is on, one entry per step', () => {
    expect(parametersJsonSchema(schemaOf(false)).properties).not.toHaveProperty('faults');
    const on = parametersJsonSchema(schemaOf(true)) as { properties: { faults: { properties: object } } };
    expect(Object.keys(on.properties.faults.properties)).toEqual(datasetBuild.steps.map((s) => s.name));
  });

  it('name a step of the definition and a fault it knows, where they are on', () => {
    const schema = schemaOf(true);
    expect(parseParameters(schema, { faults: { label: { failTimes: 2 } } })).toMatchObject({
      faults: { label: { failTimes: 2 } },
    });
    expect(problems(schema, { faults: { lable: { fatal: true }, label: {} } })).toEqual([
      {
        path: 'metadata.faults.label',
        rule: 'custom',
        message: 'must name a fault: delayMs, fatal, failTimes, hang or failItems',
      },
      {
        path: 'metadata.faults.lable',
        rule: 'unrecognized_keys',
        message: 'is not a parameter of this definition',
      },
    ]);
  });
});

describe('parameter problems', () => {
  it('say the rule in words, with the unit of a length bound', () => {
    const schema = schemaOf(false);
    expect(problems(schema, { dataset: { labels: [] } })).toEqual([
      { path: 'metadata.dataset.labels', rule: 'too_small', message: 'must have at least 1 item' },
    ]);
    expect(problems(schema, { dataset: { labels: ['x'.repeat(41)], duplicateRate: 1 } })).toEqual([
      { path: 'metadata.dataset.duplicateRate', rule: 'too_big', message: 'must be at most 0.9' },
      { path: 'metadata.dataset.labels.0', rule: 'too_big', message: 'must have at most 40 characters' },
    ]);
    const choice = z.strictObject({ mode: z.enum(['fast', 'full']) });
    expect(problems(choice, {})).toEqual([
      { path: 'metadata.mode', rule: 'invalid_value', message: 'is required' },
    ]);
    expect(problems(choice, { mode: 'slow' })).toEqual([
      { path: 'metadata.mode', rule: 'invalid_value', message: 'must be one of: "fast", "full"' },
    ]);
  });
});

describe('a definition declaring parameters', () => {
  const steps = [{ name: 'only', taskType: 'noop', handler: 'functions/steps/noop.ts' }];

  it('needs a schema with an id and leaves the orchestrator keys alone', () => {
    const anonymous = z.strictObject({ size: z.number() });
    const reserved = z.strictObject({ faults: z.number() }).check(z.meta({ id: 'Reserved' }));
    expect(() => validateWorkflow({ name: 'a', parameters: anonymous, steps })).toThrow(/parameters-id/);
    expect(() => validateWorkflow({ name: 'b', parameters: reserved, steps })).toThrow(
      /faults are the orchestrator's own metadata keys/,
    );
    expect(
      validateWorkflow({ name: 'c', parameters: z.object({}).check(z.meta({ id: 'Empty' })), steps }),
    ).toMatchObject({
      parameters: 'Empty',
    });
  });

  it('fails the catalog and the runtime when its schema is not listed in functions/parameters/registry.ts', () => {
    const definition = validateWorkflow({
      name: 'unlisted',
      parameters: z.strictObject({}).check(z.meta({ id: 'UnlistedParameters' })),
      steps,
    });
    expect(() => checkParametersListed([definition])).toThrow(
      'definition "unlisted" declares the parameters "UnlistedParameters": add that schema to PARAMETER_SCHEMAS in functions/parameters/registry.ts',
    );
    expect(() => parametersByDefinition([definition], { faultInjection: false })).toThrow(/does not list/);
    const listed = z
      .strictObject({ size: z.number().check(z.maximum(3)) })
      .check(z.meta({ id: 'UnlistedParameters' }));
    const schema = parametersByDefinition([definition], { faultInjection: false, schemas: [listed] }).get(
      'unlisted',
    );
    expect(schema && problems(schema, { size: 4 })).toEqual([
      { path: 'metadata.size', rule: 'too_big', message: 'must be at most 3' },
    ]);
  });
});

describe('a parameter schema of classic zod', () => {
  const steps = [{ name: 'only', taskType: 'noop', handler: 'functions/steps/noop.ts' }];

  it('is accepted as zod/mini schemas are: named by its id, checked, and given as JSON Schema', () => {
    const declared = classic
      .strictObject({ size: classic.number().max(3).default(1) })
      .meta({ id: 'Classic' });
    const definition = validateWorkflow({ name: 'classic', parameters: declared, steps });
    expect(definition.parameters).toBe('Classic');
    const schema = parametersByDefinition([definition], { faultInjection: false, schemas: [declared] }).get(
      'classic',
    );
    if (!schema) throw new Error('classic declares parameters');
    expect(parseParameters(schema, {})).toEqual({ size: 1 });
    expect(problems(schema, { size: 4 })).toEqual([
      { path: 'metadata.size', rule: 'too_big', message: 'must be at most 3' },
    ]);
    expect(parametersJsonSchema(schema)).toMatchObject({ properties: { size: { maximum: 3, default: 1 } } });
  });
});

describe('the parameters a create checks', () => {
  it('leave the id to the declared schema, so both fit in one JSON Schema', () => {
    const schema = schemaOf(true);
    expect(parameterSchemaId(schema)).toBeUndefined();
    const both = z.object({ declared: DatasetParameters, checked: schema });
    expect(() => z.toJSONSchema(both)).not.toThrow();
  });
});
