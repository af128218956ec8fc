import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProducts, seedDemoCatalogue, type Product } from '../../src/assignments/catalogue.js';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;
let life: Product;

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  life = (await listProducts(db.services)).find((p) => p.name === 'Life Skills')!;
  org = await createOrganisation(db.services, { name: 'Willow', credits: 100, editions: ['standard', 'enhanced'] });
  for (const [first, last] of [
    ['Ada', 'Ash'],
    ['Ben', 'Birch'],
    ['Cy', 'Cedar'],
  ] as const) {
    await createAccount(db.services, org.organisationId, {
      email: `${first.toLowerCase()}@willow.test`,
      firstName: first,
      lastName: last,
      groupId: org.groups.North!,
    });
  }
  await db.services.sql`
    insert into preset_assignments (organisation_id, name, items)
    values (${org.organisationId}, 'Starter pack', ${JSON.stringify([{ productId: life.id, edition: 'standard', mode: 'manual', unitIds: [life.units[0]!.id] }])}::jsonb)`;
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

describe('mass assign in a real browser', () => {
  it('with a Preset Assignment: check accounts, Assign, choose the preset, Continue, Confirm Assignment, see the result', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await page.getByRole('checkbox', { name: 'Select Ada Ash' }).check();
    await page.getByRole('checkbox', { name: 'Select Ben Birch' }).check();
    await Promise.all([page.waitForURL(/\/assign\/[0-9a-f-]+$/), page.getByRole('button', { name: 'Assign' }).click()]);
    await expect(page.locator('main').textContent()).resolves.toContain('You are making an assignment to 2 accounts');
    await page.getByRole('radio', { name: /Starter pack/ }).check();
    await Promise.all([
      page.waitForURL(/\/verify\?presetId=/),
      page.getByRole('region', { name: 'Using a Preset Assignment' }).getByRole('button', { name: 'Continue' }).click(),
    ]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Verify the assignment');
    await expect(page.locator('main').textContent()).resolves.toContain('Will be assigned');
    await Promise.all([page.waitForURL(/\/assignments\/requests\//), page.getByRole('button', { name: 'Confirm Assignment' }).click()]);
    // The in-process runner does the job; the page polls and then shows every account.
    await page.getByRole('link', { name: 'Download as CSV' }).waitFor({ timeout: 20_000 });
    const table = await page.locator('table').textContent();
    expect(table).toContain('ada@willow.test');
    expect(table).toContain('assigned');
    const rows = await db.services.sql`select 1 from assignments where organisation_id = ${org.organisationId} and product_id = ${life.id}`;
    expect(rows).toHaveLength(2);
    await context.close();
  });

  it('with a Custom Assignment: Add Product, edition, manual units, a subscription and its checkbox, Confirm Assignment', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await page.getByRole('checkbox', { name: 'Select Cy Cedar' }).check();
    await Promise.all([page.waitForURL(/\/assign\/[0-9a-f-]+$/), page.getByRole('button', { name: 'Assign' }).click()]);

    await page.getByLabel('Product').selectOption({ label: 'Career Exploration' });
    await page.getByRole('button', { name: 'Add Product' }).click();
    const career = page.getByRole('group', { name: 'Career Exploration' });
    await career.getByRole('radio', { name: 'Enhanced' }).check();
    await career.getByRole('radio', { name: /Assign Manually/ }).check();
    await career.getByRole('checkbox', { name: 'Interests Inventory' }).check();
    await career.getByRole('checkbox', { name: 'My Career Plan' }).check();

    await page.getByLabel('Add another product').selectOption({ label: 'Workplace Readiness' });
    await page.getByRole('button', { name: 'Add Product' }).click();
    // What was chosen for the first product is kept when another is added.
    await expect(
      page.getByRole('group', { name: 'Career Exploration' }).getByRole('checkbox', { name: 'My Career Plan' }).isChecked(),
    ).resolves.toBe(true);
    const workplace = page.getByRole('group', { name: 'Workplace Readiness' });
    await workplace.getByRole('radio', { name: /Subscription/ }).check();
    await workplace.getByLabel('Length').selectOption('6');

    await Promise.all([
      page.waitForURL(/\/verify\?custom=1/),
      page.getByRole('region', { name: 'Custom Assignment' }).getByRole('button', { name: 'Continue' }).click(),
    ]);
    const main = await page.locator('main').textContent();
    expect(main).toContain('Career Exploration (Enhanced): Assign Manually, Interests Inventory, My Career Plan');
    expect(main).toContain('Workplace Readiness (Standard): Subscription, 6 months');
    await page.getByRole('checkbox', { name: /I am making a subscription assignment/ }).check();
    await Promise.all([page.waitForURL(/\/assignments\/requests\//), page.getByRole('button', { name: 'Confirm Assignment' }).click()]);
    await page.getByRole('link', { name: 'Download as CSV' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('main').textContent()).resolves.toMatch(/2\s*assigned/);
    const rows = await db.services.sql<{ mode: string; edition: string }[]>`
      select mode, edition from assignments a join accounts c on c.id = a.account_id where c.email = 'cy@willow.test' order by mode`;
    expect(rows).toEqual([
      { mode: 'subscription', edition: 'standard' },
      { mode: 'manual', edition: 'enhanced' },
    ]);
    await context.close();
  });
});
