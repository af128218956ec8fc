import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSelection, getSelection } from '../../src/accounts/selection.js';
import { loadActor } from '../../src/auth/actor.js';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, testPasswordHash, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Hazel', groups: ['North', 'South'] });
  const hash = await testPasswordHash(db.services);
  // 130 learners named Mason in North (three pages), 20 others in South.
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id, password_hash)
    select ${org.organisationId}, 'user', 'Learner' || i, 'Mason', 'mason' || i || '@hazel.test', ${org.groups.North!}, ${hash}
    from generate_series(1, 130) i`;
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id, password_hash)
    select ${org.organisationId}, 'user', 'Other' || i, 'Quinn', 'quinn' || i || '@hazel.test', ${org.groups.South!}, ${hash}
    from generate_series(1, 20) i`;
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

describe('View Accounts in a real browser', () => {
  it('search, check two accounts, see the toolbar, select all across pages, Assign', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await expect(page.locator('#accounts-count').textContent()).resolves.toContain('151 accounts');
    const toolbar = page.getByRole('region', { name: 'Selected accounts' });
    await toolbar.waitFor({ state: 'hidden' });

    // Typing searches as you type (htmx swaps the results and the address follows).
    await page.getByLabel('Search', { exact: true }).fill('mason');
    await page.waitForFunction(() => document.querySelector('#accounts-count')?.textContent?.includes('130 accounts match'));
    expect(new URL(page.url()).searchParams.get('q')).toBe('mason');

    await page.getByRole('checkbox', { name: 'Select Learner1 Mason' }).check();
    await page.getByRole('checkbox', { name: 'Select Learner10 Mason' }).check();
    await toolbar.waitFor({ state: 'visible' });
    await expect(toolbar.textContent()).resolves.toContain('2 accounts selected');

    // The header box chooses the whole page.
    await page.getByRole('checkbox', { name: 'Select all accounts on this page' }).check();
    await expect(toolbar.textContent()).resolves.toContain('50 accounts selected');

    await toolbar.getByRole('link', { name: 'Select all 130 accounts across all pages' }).click();
    await expect(toolbar.textContent()).resolves.toContain('All 130 accounts matching your search and filters are selected.');

    await Promise.all([page.waitForURL(/\/assign\//), toolbar.getByRole('button', { name: 'Assign' }).click()]);
    const selectionId = new URL(page.url()).pathname.split('/').pop()!;
    const actor = (await loadActor(db.services, org.systemAdmin.id))!;
    const ctx = { ...db.services, actor };
    const selection = await getSelection(ctx, selectionId);
    expect(selection.allMatching).toBe(true);
    expect(selection.filter).toEqual({ q: 'mason' });
    expect(await countSelection(ctx, selection)).toBe(130);
    await context.close();
  });

  it('works with the keyboard: the filters and the pager are reachable and the page loads without script too', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto(`/accounts?groupId=${org.groups.South}`);
    await expect(page.locator('#accounts-count').textContent()).resolves.toContain('20 accounts match');
    await page.goto('/accounts');
    await page.getByRole('link', { name: 'Page 2' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#accounts-count')?.textContent?.includes('page 2 of 4'));
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await context.close();
  });
});
