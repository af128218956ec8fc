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
  org = await createOrganisation(db.services, { name: 'Juniper', groups: ['North'], tags: ['Grade 9'], credits: 100 });
  await createAccount(db.services, org.organisationId, {
    email: 'ada@juniper.test',
    firstName: 'Ada',
    lastName: 'Ash',
    groupId: org.groups.North!,
  });
  await db.services.sql`insert into credit_ledger (organisation_id, delta, reason) values (${org.organisationId}, 100, 'Opening balance')`;
  await db.services.sql`
    insert into preset_assignments (organisation_id, name, items)
    values (${org.organisationId}, 'Starter pack', ${JSON.stringify([{ productId: life.id, edition: 'standard', mode: 'manual', unitIds: [life.units[0]!.id] }])}::jsonb)`;
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

const FILE = [
  'First Name,Last Name,Email,Password,Group,Tag',
  'Ivy,Lane,ivy@juniper.test,juniper-pass-1,West Campus,Cohort 7; Period 1',
  'Jon,Reed,jon@juniper.test,juniper-pass-1,North,cohort 7',
].join('\r\n');

describe('the directory in a real browser', () => {
  it('creates a group and a tag from their pages', { timeout: 120_000 }, async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    await page.waitForURL('**/groups');
    await page.getByLabel('Group name').fill('South');
    await page.getByRole('button', { name: 'Create Group' }).click();
    await page.waitForURL('**/groups?done=created');
    expect(await page.locator('main table').textContent()).toContain('South');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tags' }).click();
    await page.waitForURL('**/tags');
    await page.getByLabel('Tag name').fill('Honours');
    await page.getByRole('button', { name: 'Create Tag' }).click();
    await page.waitForURL('**/tags?done=created');
    expect(await page.locator('main table').textContent()).toContain('Honours');
    await context.close();
  });

  it('imports a CSV that names two new tags and, with the option on, a new group', { timeout: 180_000 }, async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/imports/csv/upload');
    await page.evaluate((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'juniper.csv', { type: 'text/csv' }));
      const zone = document.querySelector('[data-dropzone]')!;
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, FILE);
    await page.getByLabel('Users').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/columns$/);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/settings$/);
    expect(await page.getByLabel('Create tags that do not exist yet').isChecked()).toBe(true);
    expect(await page.getByLabel('Create groups that do not exist yet').isChecked()).toBe(false);
    await page.getByLabel('Create groups that do not exist yet').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/check$/);
    const main = await page.locator('main').textContent();
    expect(main).toContain('New tags: Cohort 7, Period 1');
    expect(main).toContain('New groups: West Campus');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/verify\?page=1$/);
    expect(await page.locator('main').textContent()).toContain('New tags: Cohort 7, Period 1');
    await page.getByRole('button', { name: 'Import Accounts' }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    await page.locator('.notice.ok', { hasText: 'The import has finished' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('.counts').textContent()).toContain('2 created');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tags' }).click();
    const tags = await page.locator('main table').textContent();
    expect(tags).toContain('Cohort 7');
    expect(tags).toContain('Period 1');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Groups' }).click();
    expect(await page.locator('main table').textContent()).toContain('West Campus');
    await context.close();
  });

  it('shows the credits ledger after a mass assign', { timeout: 120_000 }, async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await page.getByRole('checkbox', { name: 'Select Ada Ash' }).check();
    await Promise.all([page.waitForURL(/\/assign\/[0-9a-f-]+$/), page.getByRole('button', { name: 'Assign' }).click()]);
    await page.getByRole('radio', { name: /Starter pack/ }).check();
    await Promise.all([
      page.waitForURL(/\/verify\?presetId=/),
      page.getByRole('region', { name: 'Using a Preset Assignment' }).getByRole('button', { name: 'Continue' }).click(),
    ]);
    await Promise.all([page.waitForURL(/\/assignments\/requests\//), page.getByRole('button', { name: 'Confirm Assignment' }).click()]);
    await page.getByRole('link', { name: 'Download as CSV' }).waitFor({ timeout: 30_000 });
    const requestPath = new URL(page.url()).pathname;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisation' }).click();
    await page.waitForURL('**/organisation');
    const history = page.locator('#credit-history');
    const first = history.locator('tbody tr').first();
    expect(await first.textContent()).toContain('Mass assignment');
    expect(await first.textContent()).toContain('System Admin');
    await first.getByRole('link', { name: 'The mass assignment' }).click();
    await page.waitForURL(`**${requestPath}`);
    await page.goBack();
    expect(await page.locator('#credit-history').getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(
      '/organisation/credits.csv',
    );
    await context.close();
  });
});
