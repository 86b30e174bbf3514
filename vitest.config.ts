import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // The workflow invariants after every test of test/integration/** and test/e2e/** (the hook
    // checks the file's path, and acts only on apps started with startTestApp).
    setupFiles: ['test/support/invariants-hook.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      // Local servers only: any credentials do; the region just has to be set.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // Node 20 is supported here until the SDK drops it (docs/architecture.md, "Lambda runtime"); the warning is noise in test output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Handlers run in-process; their expected warnings (retries, injected faults) would bury the report.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      // EMF metric blobs on stdout would bury it too; test/integration/shared/logging.test.ts turns them on where needed.
      POWERTOOLS_METRICS_DISABLED: 'true',
      // As in the local stack: tests inject faults (a deployed stage does only when asked).
      FAULT_INJECTION: 'on',
    },
  },
});
