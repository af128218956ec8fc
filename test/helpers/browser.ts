import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { serve, type ServerType } from '@hono/node-server';
import type { Runner } from 'graphile-worker';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../src/app.js';
import type { AppConfig } from '../../src/http/types.js';
import { startRunner } from '../../worker/runner.js';
import { testConfig } from './app.js';
import type { TestDatabase } from './database.js';
import { TEST_PASSWORD } from './fixtures.js';
import { testWorkerRuntime } from './jobs.js';
import { withAccessibilityChecks } from './axe.js';
import type { WorkerRuntime } from '../../worker/runtime.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserApp {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Null when the app was started with blockThirdPartyCookies (one persistent context instead). */
  browser: Browser | null;
  /** A fresh browser context (own cookies) with one page, checked with axe-core at 1280 and 390 px after each navigation. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Signs in through the real sign-in form and waits for the first page after it. */
  signIn(page: Page, email: string, password?: string): Promise<void>;
  close(): Promise<void>;
}

let htmxText: Promise<string> | undefined;
function realHtmx(): Promise<string> {
  const require = createRequire(import.meta.url);
  htmxText ??= readFile(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  return htmxText;
}

/**
 * The real app on a free port against the test database, with the graphile-worker runner
 * in-process (as `npm start` runs it) and headless Chromium from Debian. For test/e2e.
 */
export async function startBrowserApp(
  db: TestDatabase,
  options: { config?: Partial<AppConfig>; worker?: Partial<WorkerRuntime>; runner?: boolean; blockThirdPartyCookies?: boolean } = {},
): Promise<BrowserApp> {
  let baseUrl = '';
  const config = testConfig({ htmxSource: realHtmx, ...options.config });
  // appUrl is only known once the port is; links in emails use it.
  const services = { ...db.services };
  const app = createApp({
    config: new Proxy(config, { get: (t, k) => (k === 'appUrl' ? baseUrl : t[k as keyof AppConfig]) }),
    services: () => services,
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  services.appUrl = baseUrl;
  let runner: Runner | null = null;
  if (options.runner !== false) {
    const runtime = testWorkerRuntime(db, { ...options.worker, services });
    runner = await startRunner(runtime, { concurrency: 2 });
  }
  const launched = options.blockThirdPartyCookies ? await launchBlockingThirdPartyCookies(baseUrl) : await launchFresh(baseUrl);
  return {
    baseUrl,
    browser: launched.browser,
    async newPage() {
      const { context, page } = await launched.newPage();
      return { context, page: withAccessibilityChecks(page) };
    },
    async signIn(page, email, password = TEST_PASSWORD) {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await Promise.all([
        page.waitForURL((url) => !url.pathname.startsWith('/sign-in')),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
    },
    async close() {
      await launched.close();
      if (runner) await runner.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage'];

type Launched = { browser: Browser | null; newPage(): Promise<{ context: BrowserContext; page: Page }>; close(): Promise<void> };

/** One browser; each newPage() is a fresh context with its own cookies. */
async function launchFresh(baseURL: string): Promise<Launched> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
      return { context, page: await context.newPage() };
    },
    close: () => browser.close(),
  };
}

/**
 * Chromium with the user's setting "Block third-party cookies" (Safari, Firefox, incognito windows,
 * many managed Chromebooks): a profile whose preferences say so. A frame on another site then gets
 * no unpartitioned cookie of ours, only a partitioned (CHIPS) one it set itself. One persistent
 * context, shared by every newPage() (pages are tabs of one profile, as a teacher's are).
 */
async function launchBlockingThirdPartyCookies(baseURL: string): Promise<Launched> {
  const profile = await mkdtemp(path.join(tmpdir(), 'rb-chromium-'));
  await mkdir(path.join(profile, 'Default'));
  // cookie_controls_mode 1 = kBlockThirdParty (0 = allow, 2 = incognito only).
  await writeFile(
    path.join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: 1, block_third_party_cookies: true } }),
  );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
  });
  return {
    browser: null,
    async newPage() {
      return { context, page: await context.newPage() };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
