import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { assertAccessible } from '../helpers/axe.js';
import { CHROMIUM_PATH } from '../helpers/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});
afterAll(async () => {
  await browser?.close();
});

describe('the accessibility check every e2e page passes through', () => {
  it('fails on a serious violation, names the width, and leaves the viewport as it was', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.setContent(
      '<html lang="en"><head><title>t</title></head><body><main><h1>x</h1><img src="data:,"><input type="text"></main></body></html>',
    );
    const error = await assertAccessible(page).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/1280px image-alt \(critical\)/);
    expect(error?.message).toMatch(/390px label \(critical\)/);
    expect(page.viewportSize()).toEqual({ width: 1280, height: 800 });
    await page.setContent(
      '<html lang="en"><head><title>t</title></head><body><main><h1>x</h1><img src="data:," alt="A dot"><label>Name <input type="text"></label></main></body></html>',
    );
    await expect(assertAccessible(page)).resolves.toBeUndefined();
    await page.close();
  });
});
