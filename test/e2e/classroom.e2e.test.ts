import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { classroomEnv } from '../classroom/sandbox-network.js';

const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['Lincoln High', 'Roosevelt'] });
  // The sandbox is served by the app itself, on the port the browser uses.
  const env = classroomEnv();
  app = await startBrowserApp(db, { config: { env }, worker: { env } });
});
afterAll(async () => {
  await app?.close();
});

async function allowAs(page: Page, email: string) {
  await page.waitForURL(/\/google-sandbox\/o\/oauth2\/v2\/auth/);
  await expect(page.locator('.sandbox-banner').textContent()).resolves.toContain('Google sandbox');
  await page.getByRole('radio', { name: new RegExp(email.replace('.', '\\.')) }).check();
  await page.getByRole('button', { name: 'Allow' }).click();
}

/** Reloads until the text shows (a background job has to run first). */
async function reloadUntil(page: Page, text: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.content()).includes(text)) return;
    if (Date.now() > until) throw new Error(`"${text}" did not appear on ${page.url()}`);
    await page.waitForTimeout(750);
    await page.reload();
  }
}

describe('Google Classroom through the sandbox, in Chromium', () => {
  it('connect (email mismatch first), pick a class, import, change the roster in the sandbox, Sync now, see the change; the add-on in a frame', async () => {
    const { page } = await app.newPage();
    await app.signIn(page, org.systemAdmin.email);
    await page.goto('/classroom');
    await page.getByRole('button', { name: 'Connect to Google Classroom' }).click();

    // Sam's personal Google account does not have the Rosterbridge email.
    await allowAs(page, 'sam.rivera@gmail.test');
    await page.getByRole('heading', { name: 'Your email addresses do not match' }).waitFor();
    await page.getByRole('link', { name: 'Your Account' }).first().waitFor();
    await page.getByRole('link', { name: 'Import from CSV' }).waitFor();
    await page.getByRole('button', { name: 'Connect to Google Classroom again' }).click();
    await allowAs(page, 'admin@maplegrove.test');

    await page.waitForURL(/\/classroom\/import$/);
    await page.getByRole('checkbox', { name: /Career Exploration/ }).check();
    await page.getByLabel('Group').selectOption({ label: 'Lincoln High' });
    await page.getByLabel('Default password').fill('backup-password-1');
    await page.getByRole('checkbox', { name: 'Grade 9' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Accounts that will be imported' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(24);
    await page.getByRole('button', { name: 'Import' }).click();
    // Live progress, then the result (htmx polls the fragment).
    await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Career Exploration' }).click();
    await reloadUntil(page, '<b>24</b> students');

    // The sandbox: a new student joins the class.
    const linkUrl = page.url();
    await page.goto('/google-sandbox');
    const career = page.locator('#course-600000001');
    await career.getByLabel('First name', { exact: true }).fill('Nova');
    await career.getByLabel('Last name', { exact: true }).fill('Quist');
    await career.getByLabel('Email', { exact: true }).fill('nova.quist@classroom.maplegrove.test');
    await career.getByRole('button', { name: 'Add student to Career Exploration' }).click();
    await page.getByText('Student added.').waitFor();

    await page.goto(linkUrl);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText('The sync has started.').waitFor();
    // The page refreshes itself (htmx) once the sync and the import of the new student are done.
    await page.locator('.stat b', { hasText: '25' }).waitFor({ timeout: 30_000 });
    await expect(page.locator('table').last().textContent()).resolves.toContain('Nova Quist');

    // Classroom opening the add-on: the sandbox frames the attachment-discovery page.
    await page.goto('/google-sandbox/classroom/600000001/add-on');
    const frame = page.frameLocator('iframe.addon-frame');
    await frame.getByText('is in Rosterbridge: 25 students').waitFor();
    await frame.getByRole('button', { name: 'Sync now' }).waitFor();
  });
});
