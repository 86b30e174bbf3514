import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The `bundling` options infra/lambda.ts uses, and how NodejsFunction hands each one to esbuild. */
const MAPPED = new Set<keyof BundlingOptions>([
  'minify',
  'keepNames',
  'sourceMap',
  'target',
  'format',
  'mainFields',
  'externalModules',
  'banner',
  'forceDockerBundling',
]);

/**
 * esbuild's options for the bundle NodejsFunction makes from `bundling` (its `--bundle --platform=node`
 * and one flag per option). An option not mapped here stops the bench rather than let it measure a
 * bundle that is not the one that ships.
 */
export const esbuildOptionsOf = (bundling: BundlingOptions): BuildOptions => {
  const unmapped = Object.keys(bundling).filter((key) => !MAPPED.has(key as keyof BundlingOptions));
  if (unmapped.length > 0)
    throw new Error(
      `bench/lib/lambda-bundle.ts does not map the bundling option(s) ${unmapped.join(', ')} of infra/lambda.ts: add them, or the bench measures another bundle`,
    );
  return {
    bundle: true,
    platform: 'node',
    ...(bundling.target ? { target: bundling.target } : {}),
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: bundling.minify ?? false,
    keepNames: bundling.keepNames ?? false,
    // NodejsFunction's default source map mode: a linked index.mjs.map next to the bundle.
    sourcemap: bundling.sourceMap ?? false,
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    external: bundling.externalModules ?? [],
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
  };
};
