import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, {
    name: 'Birch',
    groups: ['Lincoln High', 'Roosevelt Middle'],
    tags: ['Grade 9', 'IEP'],
    welcomeEmailEnabled: true,
  });
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

/** 250 rows, semicolon-separated with a Full Name column; two of them bad. */
function fileOf250(): string {
  const lines = ['Full Name;Email Address;Tag'];
  for (let i = 1; i <= 250; i++) {
    if (i === 120) lines.push(`Broken Row;not-an-email;`);
    else if (i === 230) lines.push(`Twice Listed;student1@birch.test;`);
    else lines.push(`Student${i} Tester;student${i}@birch.test;${i % 2 ? 'Grade 9' : ''}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('Batch Import from CSV in a real browser', () => {
  it('walks the whole wizard with a 250-row file, verification in sets of 100, and live progress to the result', async () => {
    const { context, page } = await app.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await app.signIn(page, 'admin@birch.test');

    await page.goto('/accounts/new');
    await page.getByRole('link', { name: 'Use Batch Import' }).click();
    await page.waitForURL('**/imports');
    expect(await page.locator('#main').getByRole('link', { name: 'Google Classroom', exact: true }).getAttribute('href')).toBe(
      '/classroom/import',
    );
    await page.locator('#main').getByRole('link', { name: 'Import from CSV' }).click();
    await page.waitForURL('**/imports/csv');
    expect(await page.getByRole('link', { name: 'Download the sample file' }).getAttribute('href')).toBe('/imports/csv/sample.csv');
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL('**/imports/csv/upload');

    // The options appear once a file is chosen; drag and drop it, as a person would from their desktop.
    expect(await page.getByLabel('Users').isVisible()).toBe(false);
    await page.evaluate((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'birch-students.csv', { type: 'text/csv' }));
      const zone = document.querySelector('[data-dropzone]')!;
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, fileOf250());
    expect(await page.locator('[data-file-name]').textContent()).toBe('birch-students.csv');
    await page.getByLabel('Users').check();
    await page.getByLabel('Send each new account a welcome email').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(/\/imports\/[0-9a-f-]{36}\/columns$/);
    expect(await page.getByText('250 accounts').count()).toBeGreaterThan(0);
    expect(await page.locator('#column-0').inputValue()).toBe('fullName');
    expect(await page.locator('#column-1').inputValue()).toBe('email');
    expect(await page.locator('#column-2').inputValue()).toBe('tag');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(/\/settings$/);
    await page.getByLabel('Password', { exact: true }).fill('birch-start-1');
    await page.getByLabel('Type the password again').fill('birch-start-1');
    await page.getByLabel(/create a new\s+password/).check();
    await page.getByLabel('Group').selectOption({ label: 'Lincoln High' });
    expect(await page.locator('main').getByText('Tags', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(/\/check$/);
    expect(await page.locator('.counts').textContent()).toContain('248 new accounts to create');
    expect(await page.getByText('The email "not-an-email" is not a valid email address.').count()).toBe(1);
    expect(await page.getByText('The same email is also on row 2.').count()).toBe(1);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(/\/verify\?page=1$/);
    expect(await page.locator('#verify-range').textContent()).toContain('Accounts 1–100 of 250');
    expect(await page.locator('tbody tr').count()).toBe(100);
    expect(await page.getByRole('button', { name: 'Import Accounts' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Skip verification' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Next 100 accounts' }).click();
    await page.waitForURL(/verify\?page=2$/);
    expect(await page.locator('#verify-range').textContent()).toContain('Accounts 101–200 of 250');
    expect(await page.locator('tbody tr').count()).toBe(100);
    expect(await page.locator('tr[data-outcome="skip"]').count()).toBe(1);
    await page.getByRole('link', { name: 'Next 50 accounts' }).click();
    await page.waitForURL(/verify\?page=3$/);
    expect(await page.locator('#verify-range').textContent()).toContain('Accounts 201–250 of 250');
    expect(await page.locator('tbody tr').count()).toBe(50);

    await page.getByRole('button', { name: 'Import Accounts' }).click();
    await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    // htmx polls the progress and reloads the page when the job is done.
    await page.locator('.notice.ok', { hasText: 'The import has finished' }).waitFor({ timeout: 30_000 });
    const counts = await page.locator('.counts').textContent();
    expect(counts).toContain('248 created');
    expect(counts).toContain('2 skipped');
    await page.getByRole('link', { name: 'Skipped', exact: true }).click();
    expect(await page.locator('tbody tr').count()).toBe(2);

    const [created] = await db.services.sql<{ n: number; tagged: number; forced: number }[]>`
      select count(*)::int as n,
        count(*) filter (where exists (select 1 from account_tags t where t.account_id = a.id))::int as tagged,
        count(*) filter (where must_change_password)::int as forced
      from accounts a where a.organisation_id = ${org.organisationId} and a.source = 'csv' and a.group_id = ${org.groups['Lincoln High']!}`;
    expect(created).toEqual({ n: 248, tagged: 125, forced: 248 });
    const [welcome] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox_emails where to_address like 'student%@birch.test'`;
    expect(welcome!.n).toBe(248);

    await page.goto('/imports');
    expect(await page.getByRole('link', { name: 'View', exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
