import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** The widths every visited page is checked at: a desktop and a phone. */
export const AXE_WIDTHS = [1280, 390] as const;

const BLOCKING = new Set(['serious', 'critical']);
let axeSource: string | undefined;

function source(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

interface Found {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core in the page. Injected by evaluation: the CSP forbids script tags that are not ours. */
async function runAxe(page: Page): Promise<Found[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source());
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: object,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')),
    }));
  });
}

/**
 * axe on a page that may navigate by itself meanwhile (htmx's HX-Refresh when a job finishes):
 * the check starts again on the page it arrived at.
 */
async function runAxeSettled(page: Page): Promise<Found[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runAxe(page);
    } catch (error) {
      if (attempt >= 3 || !/Execution context was destroyed|navigat/i.test(String(error))) throw error;
      await page.waitForLoadState('load');
    }
  }
}

/** Two animation frames: the resize event and its handlers have run. */
async function afterResize(page: Page): Promise<void> {
  await page
    .evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))))
    .catch(() => {});
}

/** Checks the page as it is now at each width, then puts the width back; throws on a serious or critical violation. */
export async function assertAccessible(page: Page): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const problems: string[] = [];
  try {
    for (const width of AXE_WIDTHS) {
      await page.setViewportSize({ width, height: size.height });
      // The page answers the resize (wide tables become focusable) before anyone could use it at that width.
      await afterResize(page);
      for (const v of await runAxeSettled(page)) {
        if (BLOCKING.has(v.impact ?? '')) problems.push(`${width}px ${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`);
      }
    }
  } finally {
    await page.setViewportSize(size);
  }
  if (problems.length) throw new Error(`Accessibility violations on ${page.url()}:\n${problems.join('\n')}`);
}

const NAVIGATIONS = new Set(['goto', 'waitForURL', 'reload', 'goBack', 'goForward']);

/**
 * The page the e2e tests drive, checked with axe after every navigation the test waits for
 * (goto, waitForURL, reload, back and forward): the test carries on only once the page it
 * arrived at has passed at both widths.
 */
export function withAccessibilityChecks(page: Page): Page {
  return new Proxy(page, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      if (!NAVIGATIONS.has(String(key))) return value.bind(target);
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        await target.waitForLoadState('load');
        await assertAccessible(target);
        return result;
      };
    },
  });
}
