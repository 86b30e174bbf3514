import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ensureConsoleBuilt } from '../build.js';
import { consoleDist } from '../serve/static.js';
import { launchChromium, openPage } from './chromium.js';

/*
 * `npm run console:screenshot`: regenerates docs/console-workflow.png, the README's picture of a
 * workflow page. It starts a local stack in memory, runs a dataset-build workflow with a retried
 * label step and a few failed download items, and photographs its page once it has completed.
 * Run it after a change to the console's look, and commit the picture.
 */

const OUTPUT = join(consoleDist(), '..', '..', 'docs', 'console-workflow.png');

// Quiet handlers: their log lines and metrics are not what this script is for.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
await ensureConsoleBuilt();
// Imported here: the stack's modules load the handlers, which read the environment set above them.
const { startLocalStack } = await import('../../infra/local/local-stack.js');
const stack = await startLocalStack({ port: 0, outdir: mkdtempSync(join(tmpdir(), 'console-shot-')) });
const browser = await launchChromium();
try {
  const response = await fetch(`${stack.url}/workflows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jobId: 'job-2041',
      definition: 'dataset-build',
      start: true,
      metadata: {
        dataset: { items: 1000, seed: 7, duplicateRate: 0.1 },
        autoRecovery: false,
        faults: { label: { failTimes: 1 }, download: { failItems: { rate: 0.003, count: 100 } } },
      },
    }),
  });
  const { workflowId } = (await response.json()) as { workflowId: string };
  const { page, foreign } = await openPage(browser, { width: 1280, height: 1000 });
  page.setDefaultTimeout(120_000);
  await page.goto(`${stack.url}/console/#/workflows/${workflowId}`);
  await page.locator('.workflow-head h1 [data-status="completed"]').waitFor();
  await page.locator('.run[data-run="0"] h4', { hasText: 'ExecutionSucceeded' }).waitFor();
  await page.locator('[data-step="download"]').click();
  await page.locator('table.items tbody tr').first().waitFor();
  await page.screenshot({ path: OUTPUT, fullPage: true });
  if (foreign.length > 0)
    throw new Error(`the page asked for something beyond 127.0.0.1: ${foreign.join(', ')}`);
  console.log(`wrote ${relative(process.cwd(), OUTPUT)}`);
} finally {
  await browser.close();
  await stack.stop();
}
