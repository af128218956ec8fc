import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCatalogue } from '../../src/assignments/catalogue.js';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  // One edition only: the edition choice is skipped, as the article says.
  org = await createOrganisation(db.services, { name: 'Hazel', credits: 100, editions: ['standard'] });
  for (const [first, last] of [
    ['Dee', 'Dogwood'],
    ['Eli', 'Elm'],
  ] as const) {
    await createAccount(db.services, org.organisationId, {
      email: `${first.toLowerCase()}@hazel.test`,
      firstName: first,
      lastName: last,
      groupId: org.groups.North!,
    });
  }
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

async function assignPageFor(name: string) {
  const { context, page } = await app.newPage();
  await app.signIn(page, org.systemAdmin.email);
  await page.goto('/accounts');
  await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  await Promise.all([page.waitForURL(/\/assign\/[0-9a-f-]+$/), page.getByRole('button', { name: 'Assign' }).click()]);
  return { context, page };
}

describe('mass assign presets and the keyboard, in a real browser', () => {
  it('no presets yet: "Create a new Preset Assignment", Enter saves it, and Assign comes back with it chosen', async () => {
    const { context, page } = await assignPageFor('Dee Dogwood');
    const assignUrl = page.url();
    const presets = page.getByRole('region', { name: 'Using a Preset Assignment' });
    await expect(presets.textContent()).resolves.toContain('You do not have any Preset Assignments yet.');
    await Promise.all([
      page.waitForURL(/\/assignments\/presets\/new\?return=/),
      presets.getByRole('link', { name: 'Create a new Preset Assignment' }).click(),
    ]);

    await page.getByLabel('Name').fill('Term one');
    await page.getByLabel('Product').selectOption({ label: 'Life Skills' });
    await page.getByRole('button', { name: 'Add Product' }).click();
    const life = page.getByRole('group', { name: 'Life Skills' });
    // One edition: no edition question.
    await expect(life.getByText('Edition').count()).resolves.toBe(0);
    await life.getByRole('radio', { name: /Assign Manually/ }).check();
    await life.getByRole('checkbox', { name: 'Managing Money' }).check();
    // Enter in the Name field saves (it does not press Remove or Add Product).
    await page.getByLabel('Name').focus();
    await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/assign/')), page.keyboard.press('Enter')]);
    expect(page.url().startsWith(`${assignUrl}?presetId=`)).toBe(true);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('The Preset Assignment was saved and is chosen below.');
    await expect(page.getByRole('radio', { name: /Term one/ }).isChecked()).resolves.toBe(true);

    await Promise.all([page.waitForURL(/\/verify\?presetId=/), presets.getByRole('button', { name: 'Continue' }).click()]);
    await expect(page.locator('main').textContent()).resolves.toContain('Life Skills (Standard): Assign Manually, Managing Money');
    await Promise.all([page.waitForURL(/\/assignments\/requests\//), page.getByRole('button', { name: 'Confirm Assignment' }).click()]);
    await page.getByRole('link', { name: 'Download as CSV' }).waitFor({ timeout: 20_000 });
    const rows = await db.services.sql<{ unit_ids: string[] }[]>`
      select a.unit_ids from assignments a join accounts c on c.id = a.account_id where c.email = 'dee@hazel.test'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.unit_ids).toHaveLength(1);
    await context.close();
  });

  it('Enter in a custom product field continues to verification with what was typed, a chosen start date included', async () => {
    const { context, page } = await assignPageFor('Eli Elm');
    const custom = page.getByRole('region', { name: 'Custom Assignment' });
    await custom.getByLabel('Product').selectOption({ label: 'Workplace Readiness' });
    await custom.getByRole('button', { name: 'Add Product' }).click();
    const workplace = page.getByRole('group', { name: 'Workplace Readiness' });
    await workplace.waitFor();
    await workplace.getByRole('radio', { name: /Subscription/ }).check();
    await workplace.getByLabel('Length').selectOption('6');
    await workplace.getByLabel('Start date').fill('2031-09-01');
    // Enter in the date field: on to verification, not "Remove Workplace Readiness" or "Add Product".
    await Promise.all([page.waitForURL(/\/verify\?custom=1/), page.keyboard.press('Enter')]);
    await expect(page.locator('main').textContent()).resolves.toContain(
      'Workplace Readiness (Standard): Subscription, 6 months from 2031-09-01',
    );
    await context.close();
  });

  it('deleting a preset asks on a page of its own, by keyboard', async () => {
    await db.services.sql`insert into preset_assignments (organisation_id, name, items) values (${org.organisationId}, 'Old pack', '[]')`;
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/assignments/presets');
    await page.getByRole('link', { name: 'Delete Old pack' }).focus();
    await Promise.all([page.waitForURL(/\/delete$/), page.keyboard.press('Enter')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Delete the Preset Assignment "Old pack"?');
    await page.getByRole('button', { name: 'Delete Preset Assignment' }).focus();
    await Promise.all([page.waitForURL(/done=deleted/), page.keyboard.press('Enter')]);
    await expect(page.locator('main').textContent()).resolves.toContain('The Preset Assignment was deleted.');
    expect(
      await db.services.sql`select 1 from preset_assignments where organisation_id = ${org.organisationId} and name = 'Old pack'`,
    ).toHaveLength(0);
    await context.close();
  });
});
