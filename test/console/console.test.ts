import { describe, expect, it } from 'vitest';
import { startConsoleServer } from '../../cli/console.js';
import {
  confirmAction,
  screenshot,
  useConsole,
  waitForStep,
  waitForWorkflowStatus,
  workflowStatus,
} from './support.js';

const harness = useConsole();
const STEPS = ['list', 'download', 'validate', 'deduplicate', 'label', 'package'];
/** Failures stay for a person to act on: no automatic recovery in these runs. */
const manual = { autoRecovery: false, dataset: { items: 30, seed: 4 } };

// Each wait below gives up after WAIT_MS: a test fails on the condition it waited for, not on its timeout.
describe('the web console in headless Chromium', { timeout: 90_000 }, () => {
  it('is what / leads to, and its list shows a workflow created over the API', async () => {
    const id = await harness.createWorkflow({ metadata: manual });
    const page = await harness.open('/');
    expect(new URL(page.url()).pathname).toBe('/console/');
    const row = page.locator(`[data-workflow-row="${id}"]`);
    await row.waitFor();
    expect(await row.locator('[data-status]').textContent()).toContain('pending');
    // The views of the API: the failed view does not list it.
    // The filter lives in the URL: choosing it re-renders the list under the new hash.
    await page.getByLabel('failed', { exact: true }).click();
    await page.waitForURL(/#\/\?view=failed$/);
    await page.getByText('No workflow here.').waitFor();
    expect(await page.locator(`[data-workflow-row="${id}"]`).count()).toBe(0);
    await screenshot(page, 'list');
  });

  it('shows each definition: its graph, its versions and the parameters a create takes', async () => {
    const page = await harness.open('/console/');
    await page.getByRole('link', { name: 'Definitions' }).click();
    await page.waitForURL(/#\/definitions$/);
    const { items } = (await harness.api('/definitions')) as {
      items: { name: string; version: string; current: boolean; steps: unknown[] }[];
    };
    for (const definition of items.filter((d) => d.current)) {
      const article = page.locator(`article[data-definition="${definition.name}"]`);
      await article.locator('[data-step]').first().waitFor();
      expect(await article.locator('[data-step]').count()).toBe(definition.steps.length);
      expect(await article.getByLabel('Version').inputValue()).toBe(definition.version);
    }
    const build = page.locator('article[data-definition="dataset-build"]');
    // The same graph as a workflow's, laid out by dagre, with no status: steps as the definition has them.
    const x = async (step: string) => (await build.locator(`[data-step="${step}"]`).boundingBox())?.x ?? 0;
    expect(await x('list')).toBeLessThan(await x('download'));
    expect(await build.locator('[data-step="label"]').getAttribute('data-status')).toBe('definition');
    expect(await build.locator('option').first().textContent()).toContain('current');
    // Parameters by the names `submit --param` takes, with their defaults and the rule the API checks.
    const itemsRow = build.locator('tr[data-parameter="dataset.items"]');
    expect(await itemsRow.textContent()).toContain('2000');
    expect(await itemsRow.textContent()).toContain('1..100000');
    // Fault injection's keys (this stack has it on), one set per step: folded until asked for.
    const faults = build.locator('details[data-parameter-group="faults"]');
    expect(await faults.locator('tr[data-parameter="faults.label.failTimes"]').isVisible()).toBe(false);
    await faults.locator('summary').click();
    expect(await faults.locator('tr[data-parameter="faults.label.failTimes"]').isVisible()).toBe(true);
    await screenshot(page, 'definitions');
  });

  it("pages through a job's workflows with the API's cursor", async () => {
    const jobId = `console-paged-${Math.random().toString(36).slice(2, 8)}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await harness.createWorkflow({ jobId, metadata: manual }));
    const page = await harness.open(`/console/#/?jobId=${jobId}&limit=2`);
    const rows = page.locator('[data-workflow-row]');
    // Newest first: the last two created, then the first one.
    await page.locator(`[data-workflow-row="${ids[2]}"]`).waitFor();
    expect(await rows.count()).toBe(2);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.locator(`[data-workflow-row="${ids[0]}"]`).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.locator(`[data-workflow-row="${ids[2]}"]`).waitFor();
  });

  it('draws every step of the DAG and turns them completed live, without a reload', async () => {
    // 2 of download's 50 items fail for good: within its 5 % tolerance, shown as failed items.
    const id = await harness.createWorkflow({
      metadata: {
        ...manual,
        dataset: { items: 50, seed: 4 },
        faults: { deduplicate: { delayMs: 2000 }, download: { failItems: { rate: 0.04, count: 100 } } },
      },
    });
    const page = await harness.open(`/console/#/workflows/${id}`);
    for (const step of STEPS) await waitForStep(page, step, 'pending');
    // Laid out by dagre: dependencies flow left to right.
    const x = async (step: string) => (await page.locator(`[data-step="${step}"]`).boundingBox())?.x ?? 0;
    expect(await x('list')).toBeLessThan(await x('download'));
    expect(await x('validate')).toBeLessThan(await x('label'));
    expect(await page.locator('path[data-edge]').count()).toBe(6);
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    await confirmAction(page, 'start');
    await waitForStep(page, 'deduplicate', 'running');
    // Live: the page shows the end at most about a poll (1 s) after the API has it.
    const apiDone = (async () => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        if ((await harness.api(`/workflows/${id}`)).status === 'completed') return Date.now();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the workflow did not complete within 30 s');
    })();
    await waitForWorkflowStatus(page, 'completed');
    const pageDone = Date.now();
    // A poll (1 s), then a request and a render; the rest is room for a loaded CI machine.
    expect(pageDone - (await apiDone)).toBeLessThan(2500);
    for (const step of STEPS) await waitForStep(page, step, 'completed');
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The status is in text as well as in colour, and the timeline is the execution history's.
    expect(await page.locator('[data-step="package"]').textContent()).toContain('completed');
    await page.locator('.run[data-run="0"] h4', { hasText: 'ExecutionSucceeded' }).waitFor();
    expect(await page.locator('.timeline-row[data-state="Run deduplicate"] .timeline-bar').count()).toBe(1);
    // A fan-out step: its item counters on the graph, its failed items in its details.
    expect(await page.locator('[data-step="download"]').textContent()).toContain('items 50/50 (2 failed)');
    await page.locator('[data-step="download"]').click();
    await page.locator('table.items tbody tr').nth(1).waitFor();
    expect(await page.locator('table.items tbody tr').count()).toBe(2);
    expect(await page.locator('table.items').textContent()).toContain('injected failure of item');
    await screenshot(page, 'workflow-completed');
    // Finished, it keeps polling, but with conditional GETs of the workflow and its progress only:
    // the tasks (results read back from S3 on AWS) are not asked again while nothing changes.
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    for (let polls = 0; polls < 3; polls++)
      await page.waitForRequest((request) => request.url().endsWith(`/workflows/${id}/progress`));
    expect(asked.filter((path) => path.endsWith('/tasks'))).toEqual([]);
  });

  it('pauses and resumes from the buttons', async () => {
    const id = await harness.createWorkflow({
      start: true,
      metadata: { ...manual, faults: { deduplicate: { delayMs: 2500 } } },
    });
    const page = await harness.open(`/console/#/workflows/${id}`);
    await waitForStep(page, 'deduplicate', 'running');
    await confirmAction(page, 'pause');
    await waitForWorkflowStatus(page, 'paused');
    // At the step boundary: the running step finishes, the next one does not start.
    await waitForStep(page, 'deduplicate', 'completed');
    await waitForStep(page, 'label', 'completed');
    expect(await page.locator('[data-step="package"]').getAttribute('data-status')).toBe('pending');
    expect(await workflowStatus(page)).toBe('paused');
    await screenshot(page, 'paused');
    await confirmAction(page, 'resume');
    await waitForStep(page, 'package', 'completed');
    await waitForWorkflowStatus(page, 'completed');
  });

  it('cancels from the button', async () => {
    const id = await harness.createWorkflow({
      start: true,
      metadata: { ...manual, faults: { deduplicate: { delayMs: 3000 } } },
    });
    const page = await harness.open(`/console/#/workflows/${id}`);
    await waitForStep(page, 'deduplicate', 'running');
    // Back leaves it running: the confirmation is asked for real.
    await page.locator('[data-action="cancel"]').click();
    await page.locator('dialog.confirm[open]').getByRole('button', { name: 'Back' }).click();
    expect(await workflowStatus(page)).toBe('running');
    await confirmAction(page, 'cancel');
    await waitForWorkflowStatus(page, 'cancelled');
    await waitForStep(page, 'package', 'cancelled');
    expect((await harness.api(`/workflows/${id}`)).status).toBe('cancelled');
    await screenshot(page, 'cancelled');
  });

  it('recovers a failed workflow from a step chosen on the graph with the keyboard', async () => {
    // dataset-smoke's validate has 3 attempts: 3 injected failures fail the workflow, the 4th attempt passes.
    const id = await harness.createWorkflow({
      start: true,
      metadata: { ...manual, faults: { validate: { failTimes: 3 } } },
    });
    const page = await harness.open(`/console/#/workflows/${id}`);
    await waitForWorkflowStatus(page, 'failed');
    await waitForStep(page, 'validate', 'failed');
    expect(await page.locator('[data-workflow-error]').textContent()).toContain(
      'Task validate failed after 3 attempts',
    );
    // The timeline shows the retries of the run, from its execution history.
    await page
      .locator('.timeline-row[data-state="Run validate"] [data-attempt="3"][data-outcome="failed"]')
      .waitFor();
    // Choose `download` on the graph with the keyboard: from list, Tab goes to it, Enter selects it.
    await page.locator('[data-step="list"]').focus();
    await page.keyboard.press('Tab');
    expect(await page.locator('[data-step]:focus').getAttribute('data-step')).toBe('download');
    await page.keyboard.press('Enter');
    await page.locator('[data-panel-step="download"]').waitFor();
    await page.locator('[data-action="recover"]', { hasText: 'Recover from download' }).click();
    const dialog = page.locator('dialog.confirm[open]');
    expect(await dialog.locator('select[name="fromStep"]').inputValue()).toBe('download');
    await dialog.locator('input[name="reason"]').fill('fixed the validator');
    await screenshot(page, 'recover-dialog');
    await dialog.locator('[data-confirm]').click();
    await dialog.waitFor({ state: 'detached' });
    await waitForWorkflowStatus(page, 'completed');
    for (const step of STEPS) await waitForStep(page, step, 'completed');
    await page.locator('.run[data-run="1"] h4', { hasText: 'recovery' }).waitFor();
    const tasks = (await harness.api(`/workflows/${id}/tasks`)).items as {
      taskName: string;
      totalAttempts: number;
    }[];
    const attempts = Object.fromEntries(tasks.map((t) => [t.taskName, t.totalAttempts]));
    // From download: download ran again; list, before it, did not.
    expect(attempts).toMatchObject({ list: 1, download: 2, validate: 4 });
    await screenshot(page, 'recovered');
  });

  it('works through `job-orchestrator console --iam`, which signs and forwards its calls', async () => {
    const id = await harness.createWorkflow({ metadata: manual });
    // The local API ignores signatures; test/cli/console-server.test.ts checks them.
    const server = await startConsoleServer({ url: harness.url(), auth: { kind: 'iam' }, port: 0 });
    try {
      const page = await harness.open(server.consoleUrl);
      await page.locator(`[data-workflow-row="${id}"] a`).click();
      for (const step of STEPS) await waitForStep(page, step, 'pending');
      await confirmAction(page, 'start');
      await waitForWorkflowStatus(page, 'completed');
    } finally {
      await server.close();
    }
  });
});
