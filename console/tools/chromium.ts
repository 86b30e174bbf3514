import { execFileSync } from 'node:child_process';
import { type Browser, chromium, type Page } from 'playwright-core';

/*
 * Debian's `chromium`, driven by playwright-core, for the console's browser tests and its README
 * screenshot. It starts headless, with its background networking off and every host name but
 * 127.0.0.1 unresolvable, and every request a page sends elsewhere is recorded (the console loads
 * nothing from elsewhere).
 */

/** CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on the PATH. */
export const chromiumPath = (): string => {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // next name
    }
  }
  throw new Error(
    "no chromium found: install Debian's `chromium` (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH",
  );
};

export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  // Containers (CI runs as root) have no user namespaces for the sandbox.
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });

export interface GuardedPage {
  readonly page: Page;
  /** Requests the page tried to send anywhere but 127.0.0.1 (unresolvable there). */
  readonly foreign: readonly string[];
  /** Errors the page's scripts threw, and errors the browser logged for it. */
  readonly errors: readonly string[];
}

/** A page of its own context that may reach 127.0.0.1 only. */
export const openPage = async (
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<GuardedPage> => {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const foreign: string[] = [];
  const errors: string[] = [];
  // Watched, not intercepted (an intercepted 304 is aborted by the driver): the browser's resolver
  // rules already leave every other host unresolvable.
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.hostname !== '127.0.0.1' && url.protocol !== 'data:') foreign.push(url.href);
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  // What the browser itself reports: a refused load, a Content-Security-Policy violation, a failed call.
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, foreign, errors };
};
