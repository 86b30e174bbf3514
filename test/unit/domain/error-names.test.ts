import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../../bench/lib/lambda-bundle.js';
import * as sources from '../../../functions/domain/errors.js';
import { appBundling } from '../../../infra/lambda.js';
import { REPO_ROOT } from '../../../infra/repo-root.js';

/*
 * An error's `name` is what Step Functions' Retry/Catch and the API's status mapping match on. The
 * functions ship minified as infra/lambda.ts bundles them, so the names are checked in that bundle,
 * not in the sources (where a class's own name would pass for one).
 */
const bundled = async (): Promise<Record<string, unknown>> => {
  const result = await build({
    ...esbuildOptionsOf(appBundling(false)),
    entryPoints: [resolve(REPO_ROOT, 'functions/domain/errors.ts')],
    write: false,
    banner: {},
    logLevel: 'error',
  });
  const code = result.outputFiles?.[0]?.text ?? '';
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<
    string,
    unknown
  >;
};

type ErrorClass = new (...args: never[]) => Error;

/** An instance of each error class (constructor arguments do not change a name). */
const instanceOf = (ErrorType: ErrorClass): Error =>
  new (ErrorType as unknown as new (...args: unknown[]) => Error)('Workflow', 'x', 'y', 'z');

describe('error names in the shipped bundle', () => {
  it('are the class names the sources export, for every error class', async () => {
    const shipped = await bundled();
    const classes = Object.entries(sources).filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
    );
    expect(classes.length).toBeGreaterThanOrEqual(10);
    for (const [name] of classes) {
      expect(shipped[name], name).toBeTypeOf('function');
      expect(instanceOf(shipped[name] as ErrorClass).name, name).toBe(name);
    }
  });

  it('include every error Step Functions treats as not retryable', async () => {
    const shipped = await bundled();
    for (const name of sources.NON_RETRYABLE_ERRORS)
      expect(instanceOf(shipped[name] as ErrorClass).name).toBe(name);
  });
});
