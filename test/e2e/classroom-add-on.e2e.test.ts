import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { classroomEnv } from '../classroom/sandbox-network.js';

/**
 * The Classroom add-on where the browser blocks third-party cookies: Chromium with "Block
 * third-party cookies" on, the service on 127.0.0.1 (APP_URL) and the sandbox's Classroom page,
 * which frames the add-on, opened as localhost: another site. Cookies are Secure and
 * SameSite=None as over https, so only the blocking keeps the teacher's session out of the frame.
 */
const db = useTestDatabase();
let app: BrowserApp;
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['Lincoln High'] });
  const env = classroomEnv();
  app = await startBrowserApp(db, { config: { env, secureCookies: true }, worker: { env }, blockThirdPartyCookies: true });
});
afterAll(async () => {
  await app?.close();
});

async function allowAs(page: Page, email: string) {
  await page.waitForURL(/\/google-sandbox\/o\/oauth2\/v2\/auth/);
  await page.getByRole('radio', { name: new RegExp(email.replace('.', '\\.')) }).check();
  await page.getByRole('button', { name: 'Allow' }).click();
}

/** Connects and imports Career Exploration in a first-party tab. */
async function importCareerExploration(page: Page) {
  await app.signIn(page, org.systemAdmin.email);
  await page.goto('/classroom');
  await page.getByRole('button', { name: 'Connect to Google Classroom' }).click();
  await allowAs(page, 'admin@maplegrove.test');
  await page.waitForURL(/\/classroom\/import$/);
  await page.getByRole('checkbox', { name: /Career Exploration/ }).check();
  await page.getByLabel('Group').selectOption({ label: 'Lincoln High' });
  await page.getByLabel('Default password').fill('backup-password-1');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: 30_000 });
}

describe('the Classroom add-on with third-party cookies blocked, in Chromium', () => {
  it('the frame has no session although the teacher is signed in; Sign in with Google opens a popup whose token gives the frame its own session; the class shows and Sync now works', async () => {
    const { context, page } = await app.newPage();
    await importCareerExploration(page);
    const session = (await context.cookies(app.baseUrl)).find((c) => c.name === 'rb_session');
    expect(session).toMatchObject({ sameSite: 'None', secure: true });

    // Classroom (another site) frames the add-on.
    const classroom = await context.newPage();
    const frameCookies: string[] = [];
    classroom.on('request', (request) => {
      if (request.url().includes('/classroom-add-on/')) void request.allHeaders().then((h) => frameCookies.push(h.cookie ?? ''));
    });
    const classroomUrl = new URL('/google-sandbox/classroom/600000001/add-on', app.baseUrl);
    classroomUrl.hostname = 'localhost';
    await classroom.goto(classroomUrl.toString());
    const frame = classroom.frameLocator('iframe.addon-frame');
    const signIn = frame.getByRole('link', { name: 'Sign in with Google' });
    await signIn.waitFor();
    expect(frameCookies.length).toBeGreaterThan(0);
    expect(frameCookies.join(';')).not.toContain('rb_session=');

    // The popup is first-party: the teacher's session is there, so it hands a token straight back.
    const [popup] = await Promise.all([classroom.waitForEvent('popup'), signIn.click()]);
    await popup.waitForEvent('close', { timeout: 15_000 });
    await frame.getByText('is in Rosterbridge: 24 students').waitFor({ timeout: 15_000 });
    expect(frameCookies.at(-1)).toContain('rb_add_on_session=');
    expect(frameCookies.join(';')).not.toContain('rb_session=');
    const partitioned = (await context.cookies()).find((c) => c.name === 'rb_add_on_session');
    // Kept for our frame under the Classroom site only (CHIPS).
    expect(partitioned).toMatchObject({ path: '/classroom-add-on', secure: true, sameSite: 'None', partitionKey: 'http://localhost' });

    // A form in the frame (CSRF from the frame's own session) works too.
    await frame.getByRole('button', { name: 'Sync now' }).click();
    await frame.getByText('is in Rosterbridge').waitFor();
    const [requested] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_log where action = 'classroom.sync_requested'`;
    expect(requested?.n).toBe(1);
    // The token was single-use and is gone.
    const [left] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from classroom_add_on_handoffs`;
    expect(left?.n).toBe(0);
  });
});
