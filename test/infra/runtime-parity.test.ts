import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/repo-root.js';
import { synthTemplate } from '../../infra/synth.js';
import { ENTRY_METADATA_KEY } from '../../infra/template-keys.js';
// @ts-expect-error: a plain .mjs script (it runs before anything is compiled), without types.
import { LAMBDA_NODE_VERSION } from '../../scripts/lambda-node.mjs';

/*
 * The Node `npm test` runs the suites on again (scripts/lambda-node.mjs) is the one the functions are
 * deployed on, and the versions package.json claims include it (README "Supported Node versions").
 */
const template = synthTemplate();

describe('the Lambda runtime and the Node the suites run on', () => {
  const major = Number(String(LAMBDA_NODE_VERSION).split('.')[0]);

  it('are the same major version for every function', () => {
    const runtimes = Object.values(template.Resources)
      // Ours: CDK's own custom-resource handlers pick their runtime themselves.
      .filter(
        (resource) =>
          resource.Type === 'AWS::Lambda::Function' &&
          (resource as { Metadata?: Record<string, unknown> }).Metadata?.[ENTRY_METADATA_KEY],
      )
      .map((resource) => resource.Properties?.Runtime);
    expect(runtimes.length).toBeGreaterThan(0);
    expect(new Set(runtimes)).toEqual(new Set([`nodejs${major}.x`]));
  });

  it('is among the engines package.json declares', () => {
    const { engines } = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(engines.node.split('||').map((range) => range.trim().replace(/^\^/, '').split('.')[0])).toContain(
      String(major),
    );
  });
});
