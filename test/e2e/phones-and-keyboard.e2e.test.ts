import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seedDemoCatalogue } from '../../src/assignments/catalogue.js';
import { loadActor } from '../../src/auth/actor.js';
import { checkImportBatch, createImportBatch, stageImportRows } from '../../src/imports/engine.js';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;
let verifyPath = '';
/** Screenshots to look at by eye; outside the repository. */
const SHOTS = process.env.SHOTS_DIR ?? '';

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  org = await createOrganisation(db.services, { name: 'Harbor', credits: 500, groups: ['Roosevelt Middle', 'Lincoln High'] });
  for (const [first, last] of [
    ['Aisha', 'Adams'],
    ['Ben', 'Baker'],
    ['Cleo', 'Cruz'],
  ] as const) {
    await createAccount(db.services, org.organisationId, {
      email: `${first.toLowerCase()}@harbor.test`,
      firstName: first,
      lastName: last,
      groupId: org.groups['Roosevelt Middle']!,
    });
  }
  const ctx = { ...db.services, actor: (await loadActor(db.services, org.systemAdmin.id))! };
  const state = {
    fileName: 'harbor.csv',
    encoding: 'utf-8',
    delimiter: ',',
    headers: ['First Name', 'Last Name', 'Email', 'Group'],
    rowCount: 3,
    samples: [],
    mapping: ['firstName', 'lastName', 'email', 'group'],
    staged: true,
    checked: true,
  };
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    sourceState: state,
    options: { sharedPassword: 'shared-secret-1', updateExisting: { group: true } },
  });
  await stageImportRows(ctx, id, [
    { rowNumber: 2, firstName: 'Aisha', lastName: 'Adams', email: 'aisha@harbor.test', groupName: 'Lincoln High' },
    {
      rowNumber: 3,
      firstName: 'Dara',
      lastName: 'Dunn-Featherstonehaugh',
      email: 'dara.dunn-featherstonehaugh@a-rather-long-school-domain.example.org',
      groupName: 'Lincoln High',
    },
    { rowNumber: 4, firstName: 'Eve', lastName: 'Ellis', email: 'not-an-email', groupName: 'Lincoln High' },
  ]);
  await checkImportBatch(ctx, id);
  verifyPath = `/imports/${id}/verify?page=1`;
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  app = await startBrowserApp(db);
});
afterAll(async () => {
  await app?.close();
});

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** What Enter in a text field of each form presses: the first submit button, which must be the form's main one. */
async function enterButtons(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('form'))
      .filter((f) => f.querySelector('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])'))
      .map((f) => {
        const buttons = Array.from(f.querySelectorAll('button:not([type=button]), input[type=submit]')) as HTMLButtonElement[];
        const first = buttons[0];
        return {
          form: f.getAttribute('action') ?? '',
          many: buttons.length > 1,
          value: first?.value ?? '',
          main: !!first && (first.classList.contains('enter-submits') || !first.classList.contains('secondary')),
        };
      }),
  );
}

describe('keyboard and errors, in a real browser', () => {
  it('Enter in any text field presses the main button of its form, on every form page', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await page.getByRole('checkbox', { name: 'Select Aisha Adams' }).check();
    await Promise.all([page.waitForURL(/\/assign\//), page.getByRole('button', { name: 'Assign', exact: true }).click()]);
    const assign = new URL(page.url()).pathname;
    for (const path of [
      '/accounts',
      '/accounts/new',
      '/groups',
      '/tags',
      '/imports/csv/upload',
      '/assignments/presets/new',
      assign,
      '/organisation',
      '/account',
    ]) {
      await page.goto(path);
      for (const form of await enterButtons(page)) {
        expect(form.value, `${path} ${form.form}`).not.toBe('add');
        expect(form.value, `${path} ${form.form}`).not.toMatch(/^remove-/);
        if (form.many) expect(form.main, `${path} ${form.form}: the first button is not the main one`).toBe(true);
      }
    }
    // The preset editor: Enter in Name saves (and, with no product yet, says so) instead of adding a product.
    await page.goto('/assignments/presets/new');
    await page.getByLabel('Name').fill('Career starter');
    await Promise.all([page.waitForLoadState('load'), page.getByLabel('Name').press('Enter')]);
    await page.waitForSelector('.error-summary');
    expect(await page.locator('fieldset.item').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Add at least one product');
    await context.close();
  });

  it('Add Product stays in place; Assign Manually without a unit is named, and its link goes to the units', async () => {
    const { context, page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    await page.getByRole('checkbox', { name: 'Select Ben Baker' }).check();
    // The skip link goes from the list to the toolbar.
    await page.getByRole('checkbox', { name: 'Select Ben Baker' }).focus();
    await page.getByRole('link', { name: 'Skip to the selection toolbar' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('selection-toolbar');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/\/assign\//), page.keyboard.press('Enter')]);
    const url = page.url();
    const custom = page.getByRole('region', { name: 'Custom Assignment' });
    await custom.getByLabel('Product').selectOption({ label: 'Life Skills' });
    await custom.getByLabel('Product').scrollIntoViewIfNeeded();
    const before = await page.evaluate(() => window.scrollY);
    await custom.getByRole('button', { name: 'Add Product' }).click();
    const life = page.getByRole('group', { name: 'Life Skills' });
    await life.waitFor();
    expect(page.url()).toBe(url);
    expect(Math.abs((await page.evaluate(() => window.scrollY)) - before)).toBeLessThan(200);
    await expect(life.getByRole('group', { name: 'How to assign' }).count()).resolves.toBe(1);
    await life.getByRole('radio', { name: /Assign Manually/ }).check();
    await Promise.all([page.waitForLoadState('load'), custom.getByRole('button', { name: 'Continue' }).click()]);
    await page.waitForSelector('.error-summary');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    const summary = await page.locator('.error-summary').textContent();
    expect(summary).toContain('Life Skills: Assign Manually needs at least one unit');
    expect(summary).not.toContain('Add at least one product');
    await page.locator('.error-summary a').first().click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('item-0-units');
    await context.close();
  });
});

describe('a phone, 390 px wide', () => {
  it('folds the navigation behind Menu, stacks verification rows with "What will happen" in view, and keeps the toolbar usable', async () => {
    const { context, page } = await app.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/accounts');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    const header = await page.locator('header.topbar').boundingBox();
    expect(header!.height).toBeLessThan(120);
    await shot(page, 'accounts-390');
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(await nav.isVisible()).toBe(true);
    await expect(page.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded')).resolves.toBe('true');
    await shot(page, 'accounts-menu-open-390');
    await page.getByRole('button', { name: 'Menu' }).click();

    await page.getByRole('checkbox', { name: 'Select Cleo Cruz' }).check();
    const assignButton = page.getByRole('button', { name: 'Assign', exact: true });
    const box = await assignButton.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await shot(page, 'accounts-toolbar-390');

    await page.goto(verifyPath);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const outcome = page.locator('tbody tr').first().locator('td').last();
    const cell = await outcome.boundingBox();
    expect(cell!.x + cell!.width).toBeLessThanOrEqual(390);
    await expect(outcome.getAttribute('data-label')).resolves.toBe('What will happen');
    await expect(outcome.evaluate((td) => getComputedStyle(td, '::before').content)).resolves.toContain('What will happen');
    for (const row of await page.locator('tbody tr').all()) expect((await row.boundingBox())!.height).toBeLessThan(260);
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('Roosevelt Middle → changes to Lincoln High');
    await shot(page, 'import-verify-390');

    // Match your columns stacks too: every "Import as" choice in view, nothing to scroll sideways.
    await page.goto(verifyPath.replace(/verify\?page=1$/, 'columns'));
    const choice = await page.getByLabel('Import “Email” as').boundingBox();
    expect(choice!.x + choice!.width).toBeLessThanOrEqual(390);
    expect(await page.locator('.table-wrap').evaluate((w) => w.scrollWidth <= w.clientWidth + 1)).toBe(true);

    for (const [path, name] of [
      ['/accounts/new', 'create-account'],
      ['/imports', 'batch-import'],
      ['/imports/csv', 'import-csv-how-to'],
      ['/imports/csv/upload', 'import-csv-upload'],
      ['/assignments/presets/new', 'preset-new'],
      ['/assignments/requests', 'assignments'],
      ['/groups', 'groups'],
      ['/tags', 'tags'],
      ['/organisation', 'organisation'],
      ['/classroom', 'classroom'],
      ['/account', 'your-account'],
    ] as const) {
      await page.goto(path);
      await shot(page, `${name}-390`);
      // Nothing widens the page: a wide list scrolls inside its own (focusable) frame.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    await context.close();
  });
});
