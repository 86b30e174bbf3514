import { describe, expect, it } from 'vitest';
import { parameterGroups, parameterRows } from '../../../console/src/parameters.js';
import { parameterJsonSchemaOf } from '../../../functions/definitions/parameter-schemas.js';

// The console's parameter table, from the schemas GET /definitions publishes.
describe('parameterRows', () => {
  it("names dataset-build's parameters as `submit --param` does, with their defaults and rules", () => {
    const rows = parameterRows(parameterJsonSchemaOf('dataset-build', false) as never);
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    expect(byName['dataset.items']).toEqual({
      name: 'dataset.items',
      type: 'integer',
      required: false,
      default: '2000',
      rule: '1..100000',
      description: 'How many items `list` generates',
    });
    // int()'s safe-integer bounds are no rule a person needs told.
    expect(byName['dataset.seed']).toMatchObject({ type: 'integer', default: '1', rule: '' });
    expect(byName['dataset.labels']).toMatchObject({
      type: 'string[]',
      default: '["cat","dog","bird"]',
      rule: '1..20 items; each 1..40 characters',
    });
    expect(byName.autoRecovery).toMatchObject({ type: 'boolean', rule: '' });
    expect(byName['tolerance.download']).toMatchObject({ type: 'number', rule: '0..100' });
    // Objects are walked into, not listed; fault keys only where fault injection is on.
    expect(byName.dataset).toBeUndefined();
    expect(rows.some((row) => row.name.startsWith('faults.'))).toBe(false);
    const withFaults = parameterRows(parameterJsonSchemaOf('dataset-build', true) as never);
    // Required inside an optional object is not required of a create.
    expect(withFaults.find((row) => row.name === 'faults.download.failItems.rate')).toMatchObject({
      required: false,
      rule: '0..1',
    });
    expect(parameterGroups(withFaults).map(([group]) => group)).toEqual([
      'dataset',
      'autoRecovery',
      'tolerance',
      'faults',
    ]);
  });

  it('follows $refs to $defs (a schema used twice), keeping the referring description', () => {
    const rows = parameterRows({
      type: 'object',
      required: ['size', 'mode', 'nested'],
      properties: {
        size: { $ref: '#/$defs/bounded', description: 'How big' },
        mode: { enum: ['fast', 'safe'] },
        nested: {
          type: 'object',
          required: ['again'],
          properties: { again: { $ref: '#/$defs/bounded' }, other: { type: 'string' } },
        },
      },
      $defs: { bounded: { type: 'integer', minimum: 1, description: 'shared' } },
    });
    expect(rows).toEqual([
      { name: 'size', type: 'integer', required: true, rule: 'at least 1', description: 'How big' },
      { name: 'mode', type: 'any', required: true, rule: 'one of "fast", "safe"', description: '' },
      { name: 'nested.again', type: 'integer', required: true, rule: 'at least 1', description: 'shared' },
      { name: 'nested.other', type: 'string', required: false, rule: '', description: '' },
    ]);
    expect(parameterRows(null)).toEqual([]);
  });
});
