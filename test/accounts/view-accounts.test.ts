import { beforeAll, describe, expect, it } from 'vitest';
import { countSelection, getSelection } from '../../src/accounts/selection.js';
import { loadActor } from '../../src/auth/actor.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let teacherId: string;

/** 60 learners in North (every third tagged Grade 9), 60 in South, plus a teacher managing North. */
beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Alder', groups: ['North', 'South'], tags: ['Grade 9', 'Grade 10'] });
  other = await createOrganisation(db.services, { name: 'Rival', groups: ['Hidden'], tags: ['Secret'] });
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id, password_hash)
    select ${org.organisationId}, 'user', 'Learner', 'N' || lpad(i::text, 3, '0'), 'north' || i || '@alder.test', ${org.groups.North!}, null
    from generate_series(1, 60) i`;
  await db.services.sql`
    insert into accounts (organisation_id, kind, first_name, last_name, email, group_id, password_hash)
    select ${org.organisationId}, 'user', 'Learner', 'S' || lpad(i::text, 3, '0'), 'south' || i || '@alder.test', ${org.groups.South!}, null
    from generate_series(1, 60) i`;
  await db.services.sql`
    insert into account_tags (account_id, tag_id)
    select id, ${org.tags['Grade 9']!} from accounts where email like 'north%' and (substring(email from 'north(\\d+)@'))::int % 3 = 0`;
  await createAccount(db.services, org.organisationId, {
    email: 'zoe.quill@alder.test',
    firstName: 'Zoe',
    lastName: 'Quill',
    groupId: org.groups.South!,
  });
  const teacher = await createAccount(db.services, org.organisationId, {
    email: 'teacher@alder.test',
    kind: 'administrator',
    firstName: 'Tess',
    lastName: 'Teacher',
    managedGroupIds: [org.groups.North!],
  });
  teacherId = teacher.id;
  await createAccount(db.services, other.organisationId, {
    email: 'stranger@rival.test',
    firstName: 'Zoe',
    lastName: 'Stranger',
    groupId: other.groups.Hidden!,
  });
  await createAccount(db.services, org.organisationId, {
    email: 'learner@alder.test',
    firstName: 'Lia',
    lastName: 'Learner',
    groupId: org.groups.North!,
  });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

function page1Order(html: string): string[] {
  return [...html.matchAll(/<a href="\/accounts\/[0-9a-f-]+">([^<]+)<\/a>/g)].slice(0, 3).map((m) => m[1]!);
}

function rowCount(html: string): number {
  return (html.match(/data-select-row/g) ?? []).length;
}

describe('View Accounts: happy path', () => {
  it('lists the organisation page by page, 50 at a time, ordered by name, with type, group and tags', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { res, html } = await admin.get('/accounts');
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>View Accounts</h1>');
    // 120 learners + Zoe + teacher + learner + system admin
    expect(html).toContain('124 accounts');
    expect(rowCount(html)).toBe(50);
    expect(html).toContain('page 1 of 3');
    const page2 = await admin.get('/accounts?page=2');
    expect(page2.html).toContain('Zoe Quill');
    expect(page2.html).toContain('zoe.quill@alder.test');
    // Names read "First Last" everywhere; the list is still sorted by last name, then first name.
    expect(page1Order(html)).toEqual(['System Admin', 'Lia Learner', 'Learner N001']);
    expect(html).toContain('System administrator');
    const page3 = await admin.get('/accounts?page=3');
    expect(rowCount(page3.html)).toBe(24);
    expect(page3.html).toContain('Tess Teacher');
    expect(html).toContain('<span class="pill">Grade 9</span>');
    // Out-of-range pages clamp to the last one rather than showing nothing.
    expect((await admin.get('/accounts?page=99')).html).toContain('page 3 of 3');
  });

  it('Next and Previous continue from the page’s last and first account, showing what the page numbers show', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const names = (html: string) => [...html.matchAll(/<a href="\/accounts\/([0-9a-f-]+)">/g)].map((m) => m[1]!);
    const link = (html: string, rel: string) => html.match(new RegExp(`<a href="([^"]+)"[^>]*rel="${rel}"`))![1]!.replaceAll('&amp;', '&');
    const page1 = await admin.get(`/accounts?groupId=${org.groups.North}`);
    const next = link(page1.html, 'next');
    expect(next).toContain(`after=${names(page1.html).at(-1)}`);
    const viaNext = await admin.get(next);
    const page2 = await admin.get(`/accounts?groupId=${org.groups.North}&page=2`);
    expect(names(viaNext.html)).toEqual(names(page2.html));
    expect(viaNext.html).toContain('page 2 of 2');
    const previous = link(viaNext.html, 'prev');
    expect(previous).toContain(`before=${names(page2.html)[0]}`);
    expect(names((await admin.get(previous)).html)).toEqual(names(page1.html));
    // An account added before the cursor does not shift the page Next continues to.
    const added = await createAccount(db.services, org.organisationId, {
      email: 'aaron.aardvark@alder.test',
      firstName: 'Aaron',
      lastName: 'Aardvark',
      groupId: org.groups.North!,
    });
    try {
      expect(names((await admin.get(next)).html)).toEqual(names(page2.html));
    } finally {
      await db.services.sql`delete from accounts where id = ${added.id}`;
    }
    // A cursor naming another organisation's account, or nothing, falls back to the page number.
    const [stranger] = await db.services.sql<{ id: string }[]>`select id from accounts where email = 'stranger@rival.test'`;
    expect(names((await admin.get(`/accounts?groupId=${org.groups.North}&page=2&after=${stranger!.id}`)).html)).toEqual(names(page2.html));
    expect(names((await admin.get(`/accounts?page=2&after=nonsense&before=%27`)).html)).toEqual(
      names((await admin.get('/accounts?page=2')).html),
    );
  });

  it('searches by name or email, ignoring case, and filters by tag and by group', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const byName = await admin.get('/accounts?q=quill');
    expect(byName.html).toContain('1 account match');
    expect(byName.html).toContain('zoe.quill@alder.test');
    expect(byName.html).not.toContain('Stranger');
    const byEmail = await admin.get('/accounts?q=SOUTH1');
    // south1, south10..south19
    expect(byEmail.html).toContain('11 accounts match');
    const byTag = await admin.get(`/accounts?tagId=${org.tags['Grade 9']}`);
    expect(byTag.html).toContain('20 accounts match');
    const byGroup = await admin.get(`/accounts?groupId=${org.groups.South}`);
    expect(byGroup.html).toContain('61 accounts match');
    const both = await admin.get(`/accounts?groupId=${org.groups.South}&tagId=${org.tags['Grade 9']}`);
    expect(both.html).toContain('No accounts match your search and filters.');
    // LIKE wildcards are searched literally.
    expect((await admin.get('/accounts?q=%25')).html).toContain('No accounts match');
    // A search with other filters: found through the search index, then filtered.
    const searchInGroup = await admin.get(`/accounts?q=learner&groupId=${org.groups.North}&tagId=${org.tags['Grade 9']}`);
    expect(searchInGroup.html).toContain('20 accounts match');
    expect(searchInGroup.html).toContain('north3@alder.test');
    expect(searchInGroup.html).not.toContain('north4@alder.test');
    expect((await admin.get(`/accounts?q=north1&groupId=${org.groups.South}`)).html).toContain('No accounts match');
  });

  it('answers htmx with the results region only, and a plain request with the whole page', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const res = await admin.request('/accounts?q=quill', { hx: true, headers: { 'hx-target': 'accounts-results' } });
    const html = await res.text();
    expect(html.startsWith('<div id="accounts-results"')).toBe(true);
    expect(html).not.toContain('<html');
    expect(html).toContain('zoe.quill@alder.test');
    expect(res.headers.get('vary')).toContain('HX-Request');
  });

  it('"select all across pages" keeps the filter on the server and counts every matching account', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { html } = await admin.get(`/accounts?groupId=${org.groups.North}&all=1`);
    expect(html).toContain('All 61 accounts matching your search and filters are selected.');
    const res = await admin.post('/accounts/selection', { all: '1', groupId: org.groups.North!, q: '', tagId: '' });
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.replace('/assign/', '');
    const actor = (await loadActor(db.services, org.systemAdmin.id))!;
    const ctx = { ...db.services, actor };
    const selection = await getSelection(ctx, id);
    expect(selection.allMatching).toBe(true);
    expect(selection.accountIds).toEqual([]);
    expect(await countSelection(ctx, selection)).toBe(61);
  });

  it('Assign with checked boxes stores exactly those accounts', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const ids = await db.services.sql<{ id: string }[]>`select id from accounts where email in ('north1@alder.test', 'south2@alder.test')`;
    const res = await admin.post('/accounts/selection', { accountId: ids.map((r) => r.id) });
    expect(res.status).toBe(303);
    const actor = (await loadActor(db.services, org.systemAdmin.id))!;
    const selection = await getSelection({ ...db.services, actor }, res.headers.get('location')!.replace('/assign/', ''));
    expect(selection.accountIds.sort()).toEqual(ids.map((r) => r.id).sort());
  });
});

describe('View Accounts: errors', () => {
  it('Assign with nothing checked says what to do', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const res = await admin.post('/accounts/selection', {});
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Check at least one account first.');
  });

  it('malformed filters and pages are ignored, not errors', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const { res, html } = await admin.get("/accounts?tagId=not-a-uuid&groupId=';drop table accounts&page=-4");
    expect(res.status).toBe(200);
    expect(html).toContain('124 accounts');
  });
});

describe('View Accounts: security', () => {
  it('a group administrator sees and selects only accounts in the groups they manage', async () => {
    const teacher = await signedIn('teacher@alder.test');
    const { html } = await teacher.get('/accounts');
    // 60 North learners + Lia
    expect(html).toContain('61 accounts');
    expect(html).not.toContain('south');
    expect(html).not.toContain('>South<');
    expect((await teacher.get(`/accounts?groupId=${org.groups.South}`)).html).toContain('No accounts match');
    // A search is scoped too: "learner" is in every learner's name, the teacher sees North's.
    const search = await teacher.get('/accounts?q=learner');
    expect(search.html).toContain('61 accounts match');
    expect(search.html).not.toContain('south');
    // A tag filter is scoped too: the teacher counts North's accounts with the tag only.
    await db.services.sql`
      insert into account_tags (account_id, tag_id)
      select id, ${org.tags['Grade 10']!} from accounts where email in ('south1@alder.test', 'south2@alder.test', 'north1@alder.test')`;
    expect((await teacher.get(`/accounts?tagId=${org.tags['Grade 10']}`)).html).toContain('1 account match');
    const admin = await signedIn(org.systemAdmin.email);
    expect((await admin.get(`/accounts?tagId=${org.tags['Grade 10']}&groupId=${org.groups.South}`)).html).toContain('2 accounts match');
    expect((await admin.get(`/accounts?tagId=${org.tags['Grade 10']}&status=active`)).html).toContain('3 accounts match');
    const southIds = await db.services.sql<{ id: string }[]>`select id from accounts where email like 'south%' limit 3`;
    const north = await db.services.sql<{ id: string }[]>`select id from accounts where email = 'north5@alder.test'`;
    const res = await teacher.post('/accounts/selection', { accountId: [...southIds.map((r) => r.id), north[0]!.id] });
    const actor = (await loadActor(db.services, teacherId))!;
    const ctx = { ...db.services, actor };
    const selection = await getSelection(ctx, res.headers.get('location')!.replace('/assign/', ''));
    expect(await countSelection(ctx, selection)).toBe(1);
    // "All" with another group's filter selects nothing of it.
    const all = await teacher.post('/accounts/selection', { all: '1', groupId: org.groups.South! });
    expect(await countSelection(ctx, await getSelection(ctx, all.headers.get('location')!.replace('/assign/', '')))).toBe(0);
  });

  it("another organisation's tag and group ids match nothing, and its accounts never appear", async () => {
    const admin = await signedIn(org.systemAdmin.email);
    expect((await admin.get(`/accounts?tagId=${other.tags.Secret}`)).html).toContain('No accounts match');
    expect((await admin.get(`/accounts?groupId=${other.groups.Hidden}`)).html).toContain('No accounts match');
    expect((await admin.get('/accounts?q=stranger')).html).toContain('No accounts match');
    const [stranger] = await db.services.sql<{ id: string }[]>`select id from accounts where email = 'stranger@rival.test'`;
    const res = await admin.post('/accounts/selection', { accountId: stranger!.id });
    const actor = (await loadActor(db.services, org.systemAdmin.id))!;
    const ctx = { ...db.services, actor };
    expect(await countSelection(ctx, await getSelection(ctx, res.headers.get('location')!.replace('/assign/', '')))).toBe(0);
  });

  it("the database refuses to put another organisation's tag on an account (counts by tag rely on it)", async () => {
    const [north1] = await db.services.sql<{ id: string }[]>`select id from accounts where email = 'north1@alder.test'`;
    await expect(
      db.services.sql`insert into account_tags (account_id, tag_id) values (${north1!.id}, ${other.tags.Secret!})`,
    ).rejects.toThrow('an account can only carry tags of its own organisation');
    // Set-based writes are checked too.
    await expect(
      db.services
        .sql`insert into account_tags (account_id, tag_id) select id, ${other.tags.Secret!} from accounts where organisation_id = ${org.organisationId}`,
    ).rejects.toThrow('an account can only carry tags of its own organisation');
    const [{ n } = { n: -1 }] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from account_tags where tag_id = ${other.tags.Secret!}`;
    expect(n).toBe(0);
  });

  it('a selection is only readable by the administrator who made it', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const res = await admin.post('/accounts/selection', { all: '1' });
    const id = res.headers.get('location')!.replace('/assign/', '');
    const rivalActor = (await loadActor(db.services, other.systemAdmin.id))!;
    await expect(getSelection({ ...db.services, actor: rivalActor }, id)).rejects.toThrow('That selection does not exist.');
  });

  it('learners get 404 for View Accounts and Create Account', async () => {
    const learner = await signedIn('learner@alder.test');
    expect((await learner.request('/accounts')).status).toBe(404);
    expect((await learner.request('/accounts/new')).status).toBe(404);
    expect((await learner.post('/accounts/selection', { all: '1' })).status).toBe(404);
  });

  it('refuses a selection POST without the CSRF token and signs-out visitors are sent to sign in', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const count = async () => (await db.services.sql<{ n: number }[]>`select count(*)::int as n from account_selections`)[0]!.n;
    const before = await count();
    const res = await admin.post('/accounts/selection', { _csrf: 'forged', all: '1' });
    expect(res.status).toBe(403);
    expect(await count()).toBe(before);
    const anonymous = new TestClient(createTestApp(db));
    const r = await anonymous.request('/accounts');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/sign-in?next=%2Faccounts');
  });
});

describe('View Accounts: counts by status', () => {
  it('counts active and deactivated accounts by group and within a group administrator’s groups', async () => {
    await db.services.sql`
      update accounts set deactivated_at = now() where email in ('south1@alder.test', 'south2@alder.test', 'north1@alder.test')`;
    try {
      const admin = await signedIn(org.systemAdmin.email);
      expect((await admin.get('/accounts?status=deactivated')).html).toContain('3 accounts match');
      expect((await admin.get(`/accounts?status=deactivated&groupId=${org.groups.South}`)).html).toContain('2 accounts match');
      // South: 60 learners + Zoe, less the 2 deactivated.
      expect((await admin.get(`/accounts?status=active&groupId=${org.groups.South}`)).html).toContain('59 accounts match');
      const [all] = await db.services.sql<{ n: number }[]>`
        select count(*)::int as n from accounts where organisation_id = ${org.organisationId} and deactivated_at is null`;
      expect((await admin.get('/accounts?status=active')).html).toContain(`${all!.n} accounts match`);
      const teacher = await signedIn('teacher@alder.test');
      // North: 60 learners + Lia, less north1.
      expect((await teacher.get('/accounts?status=active')).html).toContain('60 accounts match');
      expect((await teacher.get('/accounts?status=deactivated')).html).toContain('1 account match');
    } finally {
      await db.services
        .sql`update accounts set deactivated_at = null where email in ('south1@alder.test', 'south2@alder.test', 'north1@alder.test')`;
    }
  });
});

describe('View Accounts: large searches', () => {
  it('pages a search matching thousands of accounts in name order, and clamps a page past the end of a few matches to the last one', async () => {
    const big = await createOrganisation(db.services, { name: 'Birch', groups: ['All'] });
    await db.services.sql`
      insert into accounts (organisation_id, kind, first_name, last_name, email, group_id)
      select ${big.organisationId}, 'user', 'Many', 'M' || lpad(i::text, 5, '0'), 'many' || i || '@birch.test', ${big.groups.All!}
      from generate_series(1, 5100) i`;
    const admin = await signedIn(big.systemAdmin.email);
    const names = (html: string) => [...html.matchAll(/<a href="\/accounts\/[0-9a-f-]+">([^<]+)<\/a>/g)].map((m) => m[1]!);
    const first = await admin.get('/accounts?q=many');
    expect(first.html).toContain('5,100 accounts match');
    expect(names(first.html).slice(0, 2)).toEqual(['Many M00001', 'Many M00002']);
    const last = await admin.get('/accounts?q=many&page=999');
    expect(last.html).toContain('page 102 of 102');
    expect(names(last.html).at(-1)).toBe('Many M05100');
    // Few matches: sorted from the matches, a page past the end is the last one.
    const few = await admin.get('/accounts?q=m0510&page=7');
    expect(few.html).toContain('1 account match');
    expect(names(few.html)).toEqual(['Many M05100']);
    expect((await admin.get('/accounts?q=nobody')).html).toContain('No accounts match');
  });
});
