import { beforeAll, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs, runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, {
    name: 'Wizard',
    groups: ['North', 'South'],
    tags: ['Grade 9', 'Grade 10'],
    welcomeEmailEnabled: true,
  });
  // Another organisation's rows sit in the same tables throughout.
  await createOrganisation(db.services, { name: 'Outsider', welcomeEmailEnabled: false });
  await createAccount(db.services, org.organisationId, {
    email: 'teacher@wizard.test',
    kind: 'administrator',
    groupId: org.groups.North!,
    managedGroupIds: [org.groups.North!],
  });
  await createAccount(db.services, org.organisationId, { email: 'learner@wizard.test', groupId: org.groups.North! });
  await createAccount(db.services, org.organisationId, { email: 'existing@wizard.test', groupId: org.groups.North! });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

/** Posts the upload form as a browser does: multipart with the file and the options. */
async function upload(client: TestClient, content: string | Uint8Array, fields: Record<string, string> = {}, name = 'accounts.csv') {
  await client.get('/imports/csv/upload');
  const form = new FormData();
  form.set('_csrf', client.csrf);
  form.set('file', new File([typeof content === 'string' ? content : new Uint8Array(content)], name, { type: 'text/csv' }));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return client.request('/imports/csv/upload', { method: 'POST', body: form });
}

function batchIdFrom(res: Response): string {
  const location = res.headers.get('location') ?? '';
  const match = location.match(/^\/imports\/([0-9a-f-]{36})\/columns$/);
  if (!match) throw new Error(`unexpected redirect ${res.status} ${location}`);
  return match[1]!;
}

const decodeEntities = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

describe('Batch Import: the way in', () => {
  it('Create Account offers Use Batch Import, which offers Import from CSV and Google Classroom', async () => {
    const client = await signedIn('admin@wizard.test');
    const create = await client.get('/accounts/new');
    expect(create.html).toContain('href="/imports"');
    expect(create.html).toContain('Use Batch Import');
    const home = await client.get('/imports');
    expect(home.res.status).toBe(200);
    expect(home.html).toMatch(/<a class="btn" href="\/imports\/csv">\s*Import from CSV/);
    expect(home.html).toMatch(/<a class="btn" href="\/classroom\/import">\s*Google Classroom/);
    expect(home.html).toContain('Past imports');
  });

  it('shows how to make the file, a sample on screen, and a downloadable sample file', async () => {
    const client = await signedIn('admin@wizard.test');
    const howTo = await client.get('/imports/csv');
    expect(howTo.html).toContain('ava.garcia@example.org');
    expect(howTo.html).toContain('href="/imports/csv/sample.csv"');
    expect(howTo.html).toContain('Save As');
    expect(howTo.html).toMatch(/href="\/imports\/csv\/upload">\s*Continue/);
    const sample = await client.request('/imports/csv/sample.csv');
    expect(sample.headers.get('content-type')).toContain('text/csv');
    expect(sample.headers.get('content-disposition')).toContain('attachment');
    const text = await sample.text();
    expect(text).toContain('First Name,Last Name,Email,Password,Group,Tag\r\n');
    expect(text).toContain(',Roosevelt Middle,Grade 9; IEP\r\n');
  });

  it('offers Account Type to system administrators only, and Send Welcome Email only when enabled', async () => {
    const admin = await signedIn('admin@wizard.test');
    const page = await admin.get('/imports/csv/upload');
    expect(page.html).toContain('Account Type');
    expect(page.html).toContain('Administrators');
    expect(page.html).toContain('select manually');
    expect(page.html).toContain('data-dropzone');
    expect(page.html).toMatch(/name="sendWelcomeEmail" value="1"(?! disabled)/);
    const teacher = await signedIn('teacher@wizard.test');
    const teacherPage = await teacher.get('/imports/csv/upload');
    expect(teacherPage.html).not.toContain('Account Type');
    const outsider = await signedIn('admin@outsider.test');
    const outsiderPage = await outsider.get('/imports/csv/upload');
    expect(outsiderPage.html).toContain('Unavailable: welcome emails are turned off for your organisation');
    expect(outsiderPage.html).toMatch(/name="sendWelcomeEmail" value="1" disabled/);
  });
});

describe('Batch Import from CSV: every step', () => {
  it('goes from upload to the finished result with the right accounts, emails and skipped rows', async () => {
    const client = await signedIn('admin@wizard.test');
    const file = [
      'Full Name;E-mail Address;Notes',
      'Ana Lee;ana@wizard.test;first',
      '"Jones, Ben";ben@wizard.test;"multi',
      'line note"',
      'Cy Young;not-an-email;bad',
      'Existing Person;EXISTING@wizard.test;update me',
      'Dee Dupe;ana@WIZARD.test;duplicate',
      '=Evil Formula;evil@wizard.test;"x"',
      'Solo;solo@wizard.test;one name',
      'Mal Icious;"=HYPERLINK(""http://evil.example"")";formula',
    ].join('\r\n');
    const res = await upload(client, file, { accountKind: 'user', sendWelcomeEmail: '1' });
    expect(res.status).toBe(303);
    const id = batchIdFrom(res);

    const columns = await client.get(`/imports/${id}/columns`);
    expect(columns.html).toContain('accounts.csv');
    expect(columns.html).toMatch(/<option value="fullName" selected="">Full Name<\/option>/);
    expect(columns.html).toMatch(/<option value="email" selected="">Email<\/option>/);
    expect(columns.html).toMatch(/<option value="group">Group<\/option>/);

    const missing = await client.post(`/imports/${id}/columns`, { column: ['fullName', 'skip', 'skip'] });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Choose the column that holds the Email.');

    const mapped = await client.post(`/imports/${id}/columns`, { column: ['fullName', 'email', 'skip'] });
    expect(mapped.status).toBe(303);
    expect(mapped.headers.get('location')).toBe(`/imports/${id}/settings`);

    const settings = await client.get(`/imports/${id}/settings`);
    expect(settings.html).toContain('Password for all these accounts');
    expect(settings.html).toContain('create a new');
    expect(settings.html).toContain('name="groupId"');
    expect(settings.html).toContain('Grade 9');
    const noPassword = await client.post(`/imports/${id}/settings`, { groupId: org.groups.South!, password: '', confirmPassword: '' });
    expect(noPassword.status).toBe(400);
    expect(await noPassword.text()).toContain('Enter a password for these accounts.');
    const saved = await client.post(`/imports/${id}/settings`, {
      password: 'wizard-secret-1',
      confirmPassword: 'wizard-secret-1',
      mustChangePassword: '1',
      groupId: org.groups.South!,
      tagIds: [org.tags['Grade 10']!],
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/imports/${id}/check`);

    const check = await client.get(`/imports/${id}/check`);
    expect(check.html).toContain('Rows that will be skipped');
    expect(check.html).toContain('The email &quot;not-an-email&quot; is not a valid email address.');
    expect(check.html).toContain('The same email is also on row 2.');
    expect(check.html).toContain('The last name is missing.');
    expect(check.html).toContain('Accounts that already exist');
    expect(check.html).toContain('Update their password');
    const skipped = await client.request(`/imports/${id}/skipped.csv`);
    expect(skipped.headers.get('content-disposition')).toContain('attachment');
    const skippedText = await skipped.text();
    expect(skippedText).toContain('Row,First Name,Last Name,Email,Group,Tag,Reason');
    expect(skippedText).toContain('4,Cy,Young,not-an-email');
    expect(skippedText.split('\r\n').filter(Boolean)).toHaveLength(5);
    expect(skippedText).toContain(`9,Mal,Icious,"'=HYPERLINK(""http://evil.example"")"`);

    const checked = await client.post(`/imports/${id}/check`, { updatePassword: '1', updateTags: '1' });
    expect(checked.headers.get('location')).toBe(`/imports/${id}/verify?page=1`);
    const verify = await client.get(`/imports/${id}/verify?page=1`);
    expect(verify.html).toContain('Accounts 1–8 of 8');
    expect(verify.html).toContain('Will be created');
    expect(verify.html).toContain('its password and tags will be updated');
    expect(verify.html).toMatch(/<button class="btn" type="submit">\s*Import Accounts/);
    expect(decodeEntities(verify.html)).toContain('=Evil');

    const started = await client.post(`/imports/${id}/start`);
    expect(started.headers.get('location')).toBe(`/imports/${id}`);
    const again = await client.post(`/imports/${id}/start`);
    expect(again.headers.get('location')).toBe(`/imports/${id}`);
    expect((await queuedJobs(db)).filter((j) => j.task === 'run_import')).toHaveLength(1);
    const running = await client.get(`/imports/${id}`);
    expect(running.html).toContain('hx-trigger="every 1s"');
    expect((await queuedJobs(db)).some((j) => j.task === 'run_import')).toBe(true);
    await runDueJobs(db);

    const progress = await client.request(`/imports/${id}/progress`, { hx: true });
    expect(progress.headers.get('hx-refresh')).toBe('true');
    const result = await client.get(`/imports/${id}`);
    expect(result.html).toContain('The import has finished');
    expect(result.html).toMatch(/<b>3<\/b> created/);
    expect(result.html).toMatch(/<b>1<\/b> updated/);
    expect(result.html).toMatch(/<b>4<\/b> skipped/);
    const updatedOnly = await client.get(`/imports/${id}?outcome=update`);
    expect(updatedOnly.html).toContain('An account with this email already exists; its password and tags were updated.');
    const skippedOnly = await client.get(`/imports/${id}?outcome=skip`);
    expect(skippedOnly.html).toContain('The same email is also on row 2.');
    expect(skippedOnly.html).not.toContain('ana@wizard.test</td><td>South');

    const accounts = await db.services.sql<
      { email: string; first_name: string; last_name: string; must_change_password: boolean; group_id: string; password_hash: string }[]
    >`
      select email, first_name, last_name, must_change_password, group_id, password_hash from accounts
      where organisation_id = ${org.organisationId} and email in ('ana@wizard.test', 'ben@wizard.test', 'evil@wizard.test', 'existing@wizard.test') order by email`;
    expect(accounts.map((a) => [a.email, a.first_name, a.last_name])).toEqual([
      ['ana@wizard.test', 'Ana', 'Lee'],
      ['ben@wizard.test', 'Ben', 'Jones'],
      ['evil@wizard.test', '=Evil', 'Formula'],
      ['existing@wizard.test', 'Test', 'Person'],
    ]);
    expect(await argon2.verify(accounts[0]!.password_hash, 'wizard-secret-1')).toBe(true);
    expect(await argon2.verify(accounts[3]!.password_hash, 'wizard-secret-1')).toBe(true);
    expect(accounts[3]!.group_id).toBe(org.groups.North);

    const mail = await db.services.sql<
      { to_address: string; subject: string }[]
    >`select to_address, subject from outbox_emails where organisation_id = ${org.organisationId}`;
    expect(
      mail
        .filter((m) => m.subject.startsWith('Your Wizard account'))
        .map((m) => m.to_address)
        .sort(),
    ).toEqual(['ana@wizard.test', 'ben@wizard.test', 'evil@wizard.test']);
    expect(mail.some((m) => m.to_address === 'admin@wizard.test' && m.subject.startsWith('Batch import finished'))).toBe(true);

    const csv = await (await client.request(`/imports/${id}/skipped.csv`)).text();
    expect(csv).not.toMatch(/\n=|,=|,"=/);

    const list = await client.get('/imports');
    expect(list.html).toContain(`/imports/${id}`);
    expect(list.html).toContain('Finished');
  });

  it('pages verification 100 at a time with Next and Skip verification', async () => {
    const client = await signedIn('admin@wizard.test');
    const rows = Array.from({ length: 250 }, (_, i) => `Pat${i},Page,pat${i}@wizard.test`);
    const id = batchIdFrom(await upload(client, ['First Name,Last Name,Email', ...rows].join('\n')));
    await client.get(`/imports/${id}/columns`);
    expect((await client.post(`/imports/${id}/columns`, { column: ['firstName', 'lastName', 'email'] })).status).toBe(303);
    await client.get(`/imports/${id}/settings`);
    await client.post(`/imports/${id}/settings`, {
      password: 'paging-pass-1',
      confirmPassword: 'paging-pass-1',
      groupId: org.groups.North!,
    });
    await client.get(`/imports/${id}/check`);
    await client.post(`/imports/${id}/check`, {});
    const first = await client.get(`/imports/${id}/verify?page=1`);
    expect(first.html).toContain('Accounts 1–100 of 250');
    expect(first.html).toContain(`href="/imports/${id}/verify?page=2"`);
    expect(first.html).toContain(`href="/imports/${id}/ready"`);
    expect(first.html).toContain('Skip verification');
    expect(first.html).not.toContain('Import Accounts');
    expect(first.html.match(/data-outcome="create"/g)).toHaveLength(100);
    const third = await client.get(`/imports/${id}/verify?page=3`);
    expect(third.html).toContain('Accounts 201–250 of 250');
    expect(third.html).toContain('Import Accounts');
    const ready = await client.get(`/imports/${id}/ready`);
    expect(ready.html).toContain('250 to create');
    expect(ready.html).toContain('Import Accounts');
  });
});

describe('Batch Import from CSV: bad files are refused and nothing is created', () => {
  it.each([
    ['an empty file', '', 'The file is empty'],
    ['a header-only file', 'First Name,Last Name,Email\r\n', 'a header row but no accounts'],
    ['a binary file', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0]), 'not a CSV text file'],
    ['a workbook', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3]), 'spreadsheet workbook'],
    ['a file with one column', 'Email\r\nsomeone@wizard.test\r\n', 'only one column'],
  ])('refuses %s', async (_label, content, message) => {
    const client = await signedIn('admin@wizard.test');
    const [before] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_batches`;
    const res = await upload(client, content);
    expect(res.status).toBe(400);
    const html = await res.text();
    // Said once (it was twice: the summary's heading and its link).
    expect(html.split(message).length - 1).toBe(1);
    const [after] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_batches`;
    expect(after!.n).toBe(before!.n);
  });

  it('refuses a file over the size limit with the limit in the message', async () => {
    const client = await signedIn('admin@wizard.test');
    const res = await upload(client, new Uint8Array(16 * 1024 * 1024 + 1024).fill(0x61));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('the largest file we accept is 16 MB');
  });

  it('refuses a far larger body before reading it, the CSRF check included, and stores nothing', async () => {
    const client = await signedIn('admin@wizard.test');
    const [before] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_batches`;
    const res = await upload(client, new Uint8Array(20 * 1024 * 1024).fill(0x61));
    // Back to the upload page, which says why (not a bare text/plain 413).
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/imports/csv/upload?too-large=1');
    const page = await client.get(res.headers.get('location')!);
    expect(page.res.headers.get('content-type')).toContain('text/html');
    expect(page.html).toContain('Upload your CSV file');
    expect(page.html).toContain('Split it into smaller files and import them one after another.');
    const [after] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_batches`;
    expect(after!.n).toBe(before!.n);
    // Any other form is small: 2 MB of form fields is refused the same way.
    const form = await client.post('/accounts/selection', { accountId: 'x'.repeat(2 * 1024 * 1024) });
    expect(form.status).toBe(413);
    expect(await form.text()).toContain('larger than 1 MB');
  });

  it('refuses administrator imports from a group administrator', async () => {
    const teacher = await signedIn('teacher@wizard.test');
    const res = await upload(teacher, 'First Name,Last Name,Email\nA,B,a@wizard.test\n', { accountKind: 'administrator' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Only system administrators can import administrator accounts.');
  });
});

describe('Batch Import: isolation', () => {
  it("gives 404 for another organisation's batch, another administrator's batch, and to learners", async () => {
    const admin = await signedIn('admin@wizard.test');
    const id = batchIdFrom(await upload(admin, 'First Name,Last Name,Email\nIso,Late,iso@wizard.test\n'));
    const outsider = await signedIn('admin@outsider.test');
    for (const path of [
      `/imports/${id}`,
      `/imports/${id}/columns`,
      `/imports/${id}/settings`,
      `/imports/${id}/check`,
      `/imports/${id}/verify`,
      `/imports/${id}/skipped.csv`,
      `/imports/${id}/progress`,
    ]) {
      expect((await outsider.request(path)).status, path).toBe(404);
    }
    await outsider.get('/imports');
    expect((await outsider.post(`/imports/${id}/columns`, { column: ['firstName', 'lastName', 'email'] })).status).toBe(404);
    expect((await outsider.post(`/imports/${id}/start`)).status).toBe(404);
    expect((await outsider.get('/imports')).html).not.toContain(id);
    const teacher = await signedIn('teacher@wizard.test');
    expect((await teacher.request(`/imports/${id}`)).status).toBe(404);
    expect((await teacher.get('/imports')).html).not.toContain(id);
    const learner = await signedIn('learner@wizard.test');
    expect((await learner.request('/imports')).status).toBe(404);
    expect((await learner.request(`/imports/${id}`)).status).toBe(404);
    const [rows] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from import_rows where batch_id = ${id}`;
    expect(rows!.n).toBe(0);
    expect((await admin.request('/imports/not-a-uuid')).status).toBe(404);
  });

  it('refuses a form without the CSRF token', async () => {
    const admin = await signedIn('admin@wizard.test');
    const id = batchIdFrom(await upload(admin, 'First Name,Last Name,Email\nNo,Token,nt@wizard.test\n'));
    const res = await admin.post(`/imports/${id}/columns`, { _csrf: 'wrong', column: ['firstName', 'lastName', 'email'] });
    expect(res.status).toBe(403);
  });
});
