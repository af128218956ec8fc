import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

describe('sign-in in a real browser', () => {
  it('a learner signs in, lands on Your Account, and the page loads htmx from our origin under the CSP', async () => {
    const org = await createOrganisation(db.services);
    await createAccount(db.services, org.organisationId, { email: 'lee@school.test', firstName: 'Lee', lastName: 'Park' });
    const { context, page } = await app.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    await app.signIn(page, 'LEE@school.test');
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.locator('h1').textContent()).toContain('Your Account');
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
    expect(violations).toEqual([]);
    await context.close();
  });
});
