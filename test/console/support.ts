import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { ensureConsoleBuilt } from '../../console/build.js';
import { type GuardedPage, launchChromium, openPage } from '../../console/tools/chromium.js';
import { type LocalStack, startLocalStack } from '../../infra/local/local-stack.js';

/*
 * The console's browser tests: one local stack (in memory, real timing) and one headless Chromium
 * per file; each test opens its own page, which may reach 127.0.0.1 only. Screenshots go to
 * test/console/screenshots/ (git-ignored). Every wait is on a DOM condition, never a fixed sleep.
 */

export const SCREENSHOTS = join(import.meta.dirname, 'screenshots');
/** How long a DOM condition may take: a dataset-smoke run with its retries takes a few seconds. */
export const WAIT_MS = 20_000;

export interface ConsoleHarness {
  readonly url: () => string;
  /** A page of the console (a path of the stack's, or a URL); checked for foreign requests and script errors. */
  readonly open: (path?: string) => Promise<Page>;
  readonly createWorkflow: (body: Record<string, unknown>) => Promise<string>;
  readonly api: (path: string, init?: RequestInit) => Promise<Record<string, unknown>>;
}

export const useConsole = (): ConsoleHarness => {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  const pages: GuardedPage[] = [];
  beforeAll(async () => {
    await ensureConsoleBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    [stack, browser] = await Promise.all([
      startLocalStack({ port: 0, outdir: mkdtempSync(join(tmpdir(), 'console-cdk-')) }),
      launchChromium(),
    ]);
  }, 120_000);
  // A failed test leaves a screenshot of each of its pages, as they were when it failed.
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail')
      for (const [index, { page }] of pages.entries())
        if (!page.isClosed()) await screenshot(page, `failed-${context.task.name.slice(0, 40)}-${index}`);
  });
  afterAll(async () => {
    for (const { foreign, errors } of pages) {
      expect(foreign, 'requests to anything but 127.0.0.1').toEqual([]);
      expect(errors, 'errors thrown by the page').toEqual([]);
    }
    await browser?.close();
    await stack?.stop();
  }, 60_000);
  const url = () => stack?.url as string;
  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${url()}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...init.headers },
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  };
  return {
    url,
    api,
    open: async (path = '/console/') => {
      const guarded = await openPage(browser as Browser);
      pages.push(guarded);
      guarded.page.setDefaultTimeout(WAIT_MS);
      await guarded.page.goto(path.startsWith('http') ? path : `${url()}${path}`);
      return guarded.page;
    },
    createWorkflow: async (body) => {
      const created = await api('/workflows', {
        method: 'POST',
        body: JSON.stringify({
          definition: 'dataset-smoke',
          jobId: `console-${Math.random().toString(36).slice(2, 9)}`,
          ...body,
        }),
      });
      return created.workflowId as string;
    },
  };
};

/** The workflow's status as its page's header says it (text, not colour). */
export const workflowStatus = (page: Page) =>
  page.locator('.workflow-head h1 [data-status]').getAttribute('data-status');

export const waitForWorkflowStatus = (page: Page, status: string) =>
  page.locator(`.workflow-head h1 [data-status="${status}"]`).waitFor();

export const waitForStep = (page: Page, step: string, status: string) =>
  page.locator(`[data-step="${step}"][data-status="${status}"]`).waitFor();

/** Clicks an action's button, checks it asks first, and confirms. */
export const confirmAction = async (page: Page, verb: string) => {
  await page.locator(`[data-action="${verb}"]`).click();
  const dialog = page.locator('dialog.confirm[open]');
  await dialog.waitFor();
  expect(await dialog.locator('h2').textContent()).toMatch(new RegExp(`^${verb}`, 'i'));
  await dialog.locator('[data-confirm]').click();
  await dialog.waitFor({ state: 'detached' });
};

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
