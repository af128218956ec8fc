import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, testPasswordHash, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Willow', groups: ['North', 'South'], tags: ['Cohort 7'] });
  const hash = await testPasswordHash(db.services);
  // 70 learners: two pages of View Accounts.
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id, password_hash)
    select ${org.organisationId}, 'user', 'Learner' || i, 'Lane' || lpad(i::text, 2, '0'), 'lane' || i || '@willow.test', ${org.groups.North!}, ${hash}
    from generate_series(1, 70) i`;
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

describe('The directory in a real browser', () => {
  it('open an account, edit it, reset its password through the email link, deactivate it', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await Promise.all([page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/), page.getByRole('link', { name: 'Learner3 Lane03' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Learner3 Lane03');

    await page.getByLabel('First name').fill('Lena');
    await page.getByLabel('Email', { exact: true }).fill('lena.lane@willow.test');
    await page.getByRole('checkbox', { name: 'Cohort 7' }).check();
    await Promise.all([page.waitForURL(/done=saved/), page.getByRole('button', { name: 'Save changes' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Lena Lane03');
    await expect(page.locator('body').textContent()).resolves.toContain('Cohort 7');

    await Promise.all([page.waitForURL(/done=reset-sent/), page.getByRole('button', { name: 'Send password-reset email' }).click()]);
    const [mail] = await db.services.sql<
      { text_body: string }[]
    >`select text_body from outbox_emails where to_address = 'lena.lane@willow.test'`;
    const link = mail!.text_body.match(/https?:\/\/\S+\/reset-password\/\S+/)![0];
    const learner = await app.newPage();
    await learner.page.goto(link);
    await learner.page.getByLabel('New password', { exact: true }).fill('lenas-new-password');
    await learner.page.getByLabel('Type the new password again').fill('lenas-new-password');
    await learner.page.getByRole('button', { name: 'Save new password' }).click();
    await learner.page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
    await app.signIn(learner.page, 'lena.lane@willow.test', 'lenas-new-password');
    expect(new URL(learner.page.url()).pathname).not.toBe('/sign-in');

    await Promise.all([page.waitForURL(/done=deactivated/), page.getByRole('button', { name: 'Deactivate' }).click()]);
    await expect(page.locator('.badge-deactivated').first().textContent()).resolves.toBe('Deactivated');
    // The learner's session ended, and signing in again is refused.
    await learner.page.goto('/account');
    expect(new URL(learner.page.url()).pathname).toBe('/sign-in');
    await learner.page.getByLabel('Email').fill('lena.lane@willow.test');
    await learner.page.getByLabel('Password').fill('lenas-new-password');
    await learner.page.getByRole('button', { name: 'Sign in' }).click();
    await learner.page.getByText('This account is deactivated.').waitFor();
    await learner.context.close();
    await context.close();
  }, 180_000);

  it('check three accounts across two pages and add a tag to them in bulk', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    const toolbar = page.getByRole('region', { name: 'Selected accounts' });
    await page.getByRole('checkbox', { name: 'Select Learner1 Lane01' }).check();
    await page.waitForURL(/selection=/);
    await page.getByRole('link', { name: 'Page 2' }).click();
    await page.waitForFunction(() => document.querySelector('#accounts-count')?.textContent?.includes('page 2 of 2'));
    await expect(toolbar.textContent()).resolves.toContain('1 account selected');
    await page.getByRole('checkbox', { name: 'Select Learner60 Lane60' }).check();
    await page.getByRole('checkbox', { name: 'Select Learner61 Lane61' }).check();
    await expect(toolbar.textContent()).resolves.toContain('3 accounts selected');
    // The draft is saved by requests of their own (the toolbar counts before they return); Back is
    // pressed once the server's draft holds all three. (waitForLoadState('networkidle') would not
    // wait: the page reached that state before the boxes were checked.)
    const draftId = new URL(page.url()).searchParams.get('selection')!;
    await expect
      .poll(
        async () =>
          (
            await db.services.sql<{ n: number }[]>`select cardinality(account_ids)::int as n from account_selections where id = ${draftId}`
          )[0]?.n,
        {
          timeout: 10_000,
        },
      )
      .toBe(3);
    // Back keeps it: page 1 shows its box still checked.
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('#accounts-count')?.textContent?.includes('page 1 of 2'));
    await expect(page.getByRole('checkbox', { name: 'Select Learner1 Lane01' }).isChecked()).resolves.toBe(true);
    await expect(toolbar.textContent()).resolves.toContain('3 accounts selected');

    await Promise.all([page.waitForURL(/\/accounts\/bulk\//), toolbar.getByRole('button', { name: 'Add tag' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Add a tag to 3 accounts');
    await page.getByLabel('Tag').selectOption({ label: 'Cohort 7' });
    await Promise.all([
      page.waitForURL(/\/accounts\/bulk-actions\//),
      page.getByRole('button', { name: 'Confirm: Add tag (3 accounts)' }).click(),
    ]);
    await expect(page.locator('#bulk-progress').textContent()).resolves.toContain('Done: 3 accounts got the tag');
    const tagged = await db.services.sql<{ email: string }[]>`
      select a.email from account_tags at join accounts a on a.id = at.account_id where at.tag_id = ${org.tags['Cohort 7']!} and a.email like 'lane%' order by a.email`;
    expect(tagged.map((r) => r.email)).toEqual(['lane1@willow.test', 'lane60@willow.test', 'lane61@willow.test']);
    await context.close();
  }, 180_000);
});
