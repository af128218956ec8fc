import { beforeAll, describe, expect, it } from 'vitest';
import { BULK_INLINE_LIMIT, confirmBulkAction, getBulkAction, runBulkAction } from '../../src/accounts/bulk.js';
import { createSelection, deleteOldSelections, getSelection, SELECTION_DAYS, updateDraftSelection } from '../../src/accounts/selection.js';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { NotFoundError, ValidationError } from '../../src/errors.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs, runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let org: OrgFixture;
let other: OrgFixture;
let teacher: { id: string; email: string };
let stranger: { id: string; email: string };

/** 120 learners: 60 in North (N001..), 60 in South (S001..), a teacher managing North, a rival organisation. */
beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Cedar', groups: ['North', 'South'], tags: ['Cohort 7', 'Period 1'] });
  other = await createOrganisation(db.services, { name: 'Larch', groups: ['Far'], tags: ['Theirs'] });
  for (const [group, letter] of [
    ['North', 'N'],
    ['South', 'S'],
  ] as const) {
    await db.services.sql`
      insert into accounts (organisation_id, kind, first_name, last_name, email, group_id)
      select ${org.organisationId}, 'user', 'Learner', ${letter} || lpad(i::text, 3, '0'), lower(${letter}) || i || '@cedar.test', ${org.groups[group]!}
      from generate_series(1, 60) i`;
  }
  teacher = await createAccount(db.services, org.organisationId, {
    email: 'teacher@cedar.test',
    kind: 'administrator',
    firstName: 'Tess',
    lastName: 'Teacher',
    managedGroupIds: [org.groups.North!],
  });
  stranger = await createAccount(db.services, other.organisationId, { email: 'stranger@larch.test', groupId: other.groups.Far! });
});

async function ctxFor(id: string): Promise<Ctx> {
  return { ...db.services, actor: (await loadActor(db.services, id))! };
}

async function idsOf(lastNames: string[]): Promise<string[]> {
  const rows = await db.services.sql<
    { id: string }[]
  >`select id from accounts where organisation_id = ${org.organisationId} and last_name = any(${lastNames}) order by last_name`;
  return rows.map((r) => r.id);
}

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

function ids(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`name="${name}" value="([0-9a-f-]{36})"`, 'g'))].map((m) => m[1]!);
}

describe('Bulk actions: happy path', () => {
  it('adds and removes a tag, moves to a group, deactivates and reactivates, each one statement over the selection', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const chosen = await idsOf(['N001', 'N002', 'S001']);
    const selection = await createSelection(admin, { allMatching: false, accountIds: [...chosen, stranger.id] });
    const tag = org.tags['Cohort 7']!;
    const added = await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'add-tag', tagId: tag } });
    expect(added.ranNow).toBe(true);
    expect(await getBulkAction(admin, added.bulkActionId)).toMatchObject({
      status: 'finished',
      accounts: 3,
      changedCount: 3,
      skippedCount: 0,
      targetName: 'Cohort 7',
    });
    expect(await db.services.sql`select 1 from account_tags where tag_id = ${tag}`).toHaveLength(3);
    // Again: nobody gets it twice.
    const again = await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'add-tag', tagId: tag } });
    expect(await getBulkAction(admin, again.bulkActionId)).toMatchObject({ changedCount: 0, skippedCount: 3 });
    await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'remove-tag', tagId: tag } });
    expect(await db.services.sql`select 1 from account_tags where tag_id = ${tag}`).toHaveLength(0);

    await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'move-group', groupId: org.groups.South! } });
    expect(await db.services.sql`select 1 from accounts where id = any(${chosen}) and group_id = ${org.groups.South!}`).toHaveLength(3);
    await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'move-group', groupId: org.groups.North! } });
    await db.services.sql`update accounts set group_id = ${org.groups.South!} where id = ${chosen[2]!}`;

    await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'deactivate' } });
    expect(await db.services.sql`select 1 from accounts where id = any(${chosen}) and deactivated_at is not null`).toHaveLength(3);
    await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'reactivate' } });
    expect(await db.services.sql`select 1 from accounts where id = any(${chosen}) and deactivated_at is not null`).toHaveLength(0);
    const audit = await db.services
      .sql`select details from audit_log where action = 'accounts.bulk_action' and actor_id = ${org.systemAdmin.id}`;
    expect(audit.length).toBeGreaterThanOrEqual(7);
  });

  it('deletes, leaving out the actor itself', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const victims = await Promise.all(
      ['x1', 'x2'].map((n) =>
        createAccount(db.services, org.organisationId, { email: `${n}@cedar.test`, lastName: `Gone ${n}`, groupId: org.groups.North! }),
      ),
    );
    const selection = await createSelection(admin, { allMatching: false, accountIds: [...victims.map((v) => v.id), org.systemAdmin.id] });
    const { bulkActionId } = await confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'delete' } });
    expect(await getBulkAction(admin, bulkActionId)).toMatchObject({ accounts: 3, changedCount: 2, skippedCount: 1 });
    expect(await db.services.sql`select 1 from accounts where id = any(${victims.map((v) => v.id)})`).toHaveLength(0);
    expect(await db.services.sql`select 1 from accounts where id = ${org.systemAdmin.id}`).toHaveLength(1);
  });

  it(`above ${BULK_INLINE_LIMIT} accounts runs as a job enqueued with its row, safe to run twice, and ends with an email`, async () => {
    const big = await createOrganisation(db.services, { name: 'Spruce', groups: ['All'], tags: ['Everyone'] });
    await db.services.sql`
      insert into accounts (organisation_id, kind, first_name, last_name, email, group_id)
      select ${big.organisationId}, 'user', 'L', 'P' || i, 'p' || i || '@spruce.test', ${big.groups.All!} from generate_series(1, ${BULK_INLINE_LIMIT + 1}) i`;
    const admin = await ctxFor(big.systemAdmin.id);
    const selection = await createSelection(admin, { allMatching: true, filter: {} });
    const { bulkActionId, ranNow } = await confirmBulkAction(admin, {
      selectionId: selection.id,
      action: { kind: 'add-tag', tagId: big.tags.Everyone! },
    });
    expect(ranNow).toBe(false);
    expect((await queuedJobs(db)).filter((j) => j.task === 'run_bulk_action')).toEqual([
      expect.objectContaining({ payload: { bulkActionId } }),
    ]);
    expect((await getBulkAction(admin, bulkActionId)).status).toBe('queued');
    const client = await signedIn(big.systemAdmin.email);
    const progress = await client.get(`/accounts/bulk-actions/${bulkActionId}`);
    expect(progress.html).toContain(`hx-get="/accounts/bulk-actions/${bulkActionId}/progress"`);
    await runDueJobs(db);
    expect(await getBulkAction(admin, bulkActionId)).toMatchObject({ status: 'finished', changedCount: BULK_INLINE_LIMIT + 2 });
    expect(await runBulkAction(db.services, bulkActionId)).toBe('already-done');
    expect(await db.services.sql`select 1 from account_tags where tag_id = ${big.tags.Everyone!}`).toHaveLength(BULK_INLINE_LIMIT + 2);
    expect(await db.services.sql`select 1 from bulk_action_accounts where bulk_action_id = ${bulkActionId}`).toHaveLength(
      BULK_INLINE_LIMIT + 2,
    );
    const [mail] = await db.services.sql`select subject from outbox_emails where to_address = ${big.systemAdmin.email}`;
    expect(mail!.subject).toContain('Bulk action done');
    expect((await client.get(`/accounts/bulk-actions/${bulkActionId}/progress`, { hx: true })).html).toContain('got the tag');
  });

  it('a job killed mid-way leaves nothing and its rerun does it all', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const selection = await createSelection(admin, { allMatching: true, filter: { groupId: org.groups.North! } });
    const [row] = await db.services.sql<{ id: string }[]>`
      insert into bulk_actions (organisation_id, created_by, action, tag_id, target_name, account_ids)
      select ${org.organisationId}, ${org.systemAdmin.id}, 'add-tag', ${org.tags['Period 1']!}, 'Period 1', array_agg(id) from accounts where group_id = ${org.groups.North!}
      returning id`;
    void selection;
    await db.services.sql`update bulk_actions set status = 'running' where id = ${row!.id}`;
    expect(await runBulkAction(db.services, row!.id)).toBe('finished');
    expect(await db.services.sql`select 1 from account_tags where tag_id = ${org.tags['Period 1']!}`).toHaveLength(60);
  });
});

describe('Bulk actions from View Accounts (routes)', () => {
  it('the selection survives paging: boxes checked on pages 1 and 2 are all selected, Clear starts over, and Add tag names the count', async () => {
    const client = await signedIn(org.systemAdmin.email);
    const page1 = await client.get('/accounts');
    const pageIds1 = ids(page1.html, 'pageIds');
    expect(pageIds1).toHaveLength(50);
    // The box of the first row is checked: htmx posts the whole form to the draft.
    const first = await client.post(
      '/accounts/selection/draft',
      { selection: '', pageIds: pageIds1, accountId: [pageIds1[0]!] },
      { hx: true, headers: { 'hx-current-url': 'http://localhost/accounts' } },
    );
    expect(first.status).toBe(200);
    const replaced = first.headers.get('hx-replace-url')!;
    const selectionId = new URL(replaced, 'http://localhost').searchParams.get('selection')!;
    expect(replaced).toBe(`/accounts?selection=${selectionId}`);
    // Page 2 with the draft: nothing checked there yet, one elsewhere.
    const page2 = await client.get(`/accounts?page=2&selection=${selectionId}`);
    expect(page2.html).toContain('data-other-count="1"');
    expect(page2.html).toContain('1 account selected');
    const pageIds2 = ids(page2.html, 'pageIds');
    await client.post(
      '/accounts/selection/draft',
      { selection: selectionId, pageIds: pageIds2, accountId: [pageIds2[3]!, pageIds2[4]!] },
      { hx: true },
    );
    // Back to page 1: its box is still checked, and the toolbar counts all three.
    const back = await client.get(`/accounts?page=1&selection=${selectionId}`);
    expect(back.html).toMatch(new RegExp(`value="${pageIds1[0]}"[^>]*checked`));
    expect(back.html).toContain('3 accounts selected');
    // Changing the search keeps them, and says so.
    const searched = await client.get(`/accounts?q=S0&selection=${selectionId}`);
    expect(searched.html).toContain('stay selected');
    // Add tag: the confirmation page names the count; Confirm tags exactly those three.
    const submit = await client.post('/accounts/selection', {
      selection: selectionId,
      pageIds: pageIds1,
      accountId: [pageIds1[0]!],
      bulk: 'add-tag',
    });
    expect(submit.status).toBe(303);
    const confirmPath = submit.headers.get('location')!;
    expect(confirmPath).toMatch(/^\/accounts\/bulk\/[0-9a-f-]{36}\/add-tag$/);
    const confirm = await client.get(confirmPath);
    expect(confirm.html).toContain('Add a tag to 3 accounts');
    const noTag = await client.post(confirmPath, { tagId: '' });
    expect(noTag.status).toBe(400);
    expect(await noTag.text()).toContain('Choose a tag.');
    const done = await client.post(confirmPath, { tagId: org.tags['Cohort 7']! });
    expect(done.status).toBe(303);
    const result = await client.get(done.headers.get('location')!);
    expect(result.html).toContain('Done: 3 accounts got the tag');
    const tagged = await db.services.sql<
      { account_id: string }[]
    >`select account_id from account_tags where tag_id = ${org.tags['Cohort 7']!} and account_id = any(${[pageIds1[0]!, pageIds2[3]!, pageIds2[4]!]})`;
    expect(tagged).toHaveLength(3);
    // The same draft also serves Assign (same labels, same flow).
    const assign = await client.post('/accounts/selection', { selection: selectionId, pageIds: pageIds1, accountId: [pageIds1[0]!] });
    expect(assign.headers.get('location')).toMatch(/^\/assign\//);
    const admin = await ctxFor(org.systemAdmin.id);
    const assignSelection = await getSelection(admin, assign.headers.get('location')!.split('/').pop()!);
    expect(assignSelection.accountIds.sort()).toEqual([pageIds1[0]!, pageIds2[3]!, pageIds2[4]!].sort());
    // Unchecking on page 1 takes it out of the draft.
    await client.post('/accounts/selection/draft', { selection: selectionId, pageIds: pageIds1 }, { hx: true });
    expect((await getSelection(admin, selectionId)).accountIds.sort()).toEqual([pageIds2[3]!, pageIds2[4]!].sort());
  });

  it('"select all across all pages" drives a bulk action over every matching account', async () => {
    const client = await signedIn(org.systemAdmin.email);
    await client.get('/accounts');
    const submit = await client.post('/accounts/selection', { all: '1', groupId: org.groups.South!, bulk: 'deactivate' });
    const confirm = await client.get(submit.headers.get('location')!);
    expect(confirm.html).toContain('Deactivate 60 accounts');
    await client.post(submit.headers.get('location')!);
    expect(await db.services.sql`select 1 from accounts where group_id = ${org.groups.South!} and deactivated_at is not null`).toHaveLength(
      60,
    );
    await client.post(submit.headers.get('location')!.replace('/deactivate', '/reactivate'));
    expect(await db.services.sql`select 1 from accounts where deactivated_at is not null`).toHaveLength(0);
  });
});

describe('Bulk actions: security', () => {
  it("a group administrator's bulk action reaches learners of their groups only", async () => {
    const t = await ctxFor(teacher.id);
    const everyone = await db.services.sql<{ id: string }[]>`select id from accounts where organisation_id = ${org.organisationId}`;
    // A selection holding ids the teacher cannot reach (South, administrators, itself, another organisation).
    const [sel] = await db.services.sql<{ id: string }[]>`
      insert into account_selections (organisation_id, created_by, account_ids) values (${org.organisationId}, ${teacher.id}, ${everyone.map((r) => r.id).concat(stranger.id)}::uuid[]) returning id`;
    const { bulkActionId } = await confirmBulkAction(t, { selectionId: sel!.id, action: { kind: 'deactivate' } });
    const result = await getBulkAction(t, bulkActionId);
    expect(result.accounts).toBe(60);
    expect(
      await db.services.sql`select 1 from accounts where deactivated_at is not null and group_id <> ${org.groups.North!}`,
    ).toHaveLength(0);
    await confirmBulkAction(t, { selectionId: sel!.id, action: { kind: 'reactivate' } });
    // Moving to a group the teacher does not manage is refused.
    await expect(
      confirmBulkAction(t, { selectionId: sel!.id, action: { kind: 'move-group', groupId: org.groups.South! } }),
    ).rejects.toBeInstanceOf(ValidationError);
    // Another organisation's tag is refused.
    await expect(
      confirmBulkAction(t, { selectionId: sel!.id, action: { kind: 'add-tag', tagId: other.tags.Theirs! } }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("another organisation's or another administrator's selection and bulk action are not found", async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const rival = await ctxFor(other.systemAdmin.id);
    const selection = await createSelection(admin, { allMatching: true, filter: {} });
    await expect(confirmBulkAction(rival, { selectionId: selection.id, action: { kind: 'deactivate' } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const { bulkActionId } = await confirmBulkAction(admin, {
      selectionId: (await createSelection(admin, { allMatching: false, accountIds: await idsOf(['N010']) })).id,
      action: { kind: 'reactivate' },
    });
    await expect(getBulkAction(rival, bulkActionId)).rejects.toBeInstanceOf(NotFoundError);
    const client = await signedIn(other.systemAdmin.email);
    expect((await client.get(`/accounts/bulk/${selection.id}/deactivate`)).res.status).toBe(404);
    expect((await client.post(`/accounts/bulk/${selection.id}/deactivate`)).status).toBe(404);
    expect((await client.get(`/accounts/bulk-actions/${bulkActionId}`)).res.status).toBe(404);
    // A draft of someone else is not extended: a new one is made instead.
    const draft = await updateDraftSelection(rival, { selectionId: selection.id, add: [stranger.id], remove: [] });
    expect(draft!.id).not.toBe(selection.id);
  });

  it('learners get 404; the forms need the CSRF token', async () => {
    const learner = await signedIn('n1@cedar.test').catch(() => null);
    expect(learner).toBeNull(); // generated learners have no password
    const admin = await signedIn(org.systemAdmin.email);
    const selection = await createSelection(await ctxFor(org.systemAdmin.id), { allMatching: true, filter: {} });
    const res = await admin.post(`/accounts/bulk/${selection.id}/delete`, { _csrf: 'nope' });
    expect(res.status).toBe(403);
    const res2 = await admin.post('/accounts/selection/draft', { _csrf: 'nope', selection: '' }, { hx: true });
    expect(res2.status).toBe(403);
    expect(await db.services.sql`select count(*)::int as n from accounts where organisation_id = ${org.organisationId}`).toEqual([
      { n: expect.any(Number) },
    ]);
  });
});

describe('Bulk actions: Add tag while someone adds the same tag', () => {
  it('waits for the other writer, then skips the pair it added instead of failing', async () => {
    const admin = await ctxFor(org.systemAdmin.id);
    const chosen = await idsOf(['S010', 'S011', 'S012']);
    const tag = org.tags['Period 1']!;
    const other = await db.services.sql.reserve();
    try {
      await other`begin`;
      await other`insert into account_tags (account_id, tag_id) values (${chosen[1]!}, ${tag})`;
      const selection = await createSelection(admin, { allMatching: false, accountIds: chosen });
      const bulk = confirmBulkAction(admin, { selectionId: selection.id, action: { kind: 'add-tag', tagId: tag } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other`commit`;
      const { bulkActionId } = await bulk;
      expect(await getBulkAction(admin, bulkActionId)).toMatchObject({ status: 'finished', changedCount: 2, skippedCount: 1 });
    } finally {
      other.release();
    }
    const [n] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from account_tags where tag_id = ${tag} and account_id = any(${chosen}::uuid[])`;
    expect(n!.n).toBe(3);
  });
});

describe('account_tags without foreign keys (checked a statement at a time)', () => {
  it('refuses a tag or an account that does not exist; deleting an account or a tag removes its rows; ids cannot change', async () => {
    const learner = (await createAccount(db.services, other.organisationId, { email: 'gone1@larch.test', groupId: other.groups.Far! })).id;
    const tag = other.tags.Theirs!;
    await expect(db.services.sql`insert into account_tags (account_id, tag_id) values (${learner!}, gen_random_uuid())`).rejects.toThrow(
      'an account can only carry a tag that exists',
    );
    await expect(db.services.sql`insert into account_tags (account_id, tag_id) values (gen_random_uuid(), ${tag})`).rejects.toThrow(
      'an account can only carry tags of its own organisation',
    );
    const [made] = await db.services.sql<
      { id: string }[]
    >`insert into tags (organisation_id, name) values (${other.organisationId}, 'Short-lived') returning id`;
    await db.services.sql`insert into account_tags (account_id, tag_id) values (${learner!}, ${made!.id}), (${learner!}, ${tag})`;
    await db.services.sql`delete from tags where id = ${made!.id}`;
    expect(await db.services.sql`select 1 from account_tags where tag_id = ${made!.id}`).toHaveLength(0);
    await expect(db.services.sql`update accounts set id = gen_random_uuid() where id = ${learner!}`).rejects.toThrow('cannot change');
    await db.services.sql`delete from accounts where id = ${learner!}`;
    expect(await db.services.sql`select 1 from account_tags where account_id = ${learner!}`).toHaveLength(0);
  });

  it("refuses an account of no organisation among many written rows (hashed against the organisation's accounts) and among few (looked up one by one)", async () => {
    const [tag] = await db.services.sql<{ id: string }[]>`
      insert into tags (organisation_id, name) values (${other.organisationId}, 'Every one') returning id`;
    await db.services.sql`
      insert into accounts (organisation_id, kind, first_name, last_name, email, group_id)
      select ${other.organisationId}, 'user', 'Many', 'M' || i, 'many' || i || '@larch.test', ${other.groups.Far!} from generate_series(1, 6) i`;
    const all = (await db.services.sql<{ id: string }[]>`select id from accounts where organisation_id = ${other.organisationId}`).map(
      (r) => r.id,
    );
    // Every account and a stray: as many rows as the organisation has accounts (hashed); one and a stray: far fewer (looked up).
    expect(all.length).toBeGreaterThan(4);
    for (const written of [all, all.slice(0, 1)]) {
      await expect(
        db.services.sql`
          insert into account_tags (account_id, tag_id)
          select unnest(${[...written, crypto.randomUUID()]}::uuid[]), ${tag!.id}::uuid`,
      ).rejects.toThrow('an account can only carry tags of its own organisation');
    }
    await db.services.sql`insert into account_tags (account_id, tag_id) select unnest(${all}::uuid[]), ${tag!.id}::uuid`;
    expect(await db.services.sql`select 1 from account_tags where tag_id = ${tag!.id}`).toHaveLength(all.length);
  });

  it("one statement writing two organisations' tags is checked organisation by organisation", async () => {
    const mine = (await createAccount(db.services, org.organisationId, { email: 'two1@cedar.test', groupId: org.groups.South! })).id;
    const theirs = (await createAccount(db.services, other.organisationId, { email: 'two1@larch.test', groupId: other.groups.Far! })).id;
    const [cohort, their] = [org.tags['Cohort 7']!, other.tags.Theirs!];
    await expect(
      db.services
        .sql`insert into account_tags (account_id, tag_id) values (${mine}, ${cohort}), (${theirs}, ${cohort}), (${theirs}, ${their})`,
    ).rejects.toThrow('an account can only carry tags of its own organisation');
    await db.services.sql`insert into account_tags (account_id, tag_id) values (${mine}, ${cohort}), (${theirs}, ${their})`;
    expect(await db.services.sql`select 1 from account_tags where account_id in (${mine}, ${theirs})`).toHaveLength(2);
  });

  it('an account deleted while a tag is being added to it ends without the tag row, whichever commits first', async () => {
    const first = (await createAccount(db.services, other.organisationId, { email: 'gone2@larch.test', groupId: other.groups.Far! })).id;
    const second = (await createAccount(db.services, other.organisationId, { email: 'gone3@larch.test', groupId: other.groups.Far! })).id;
    const tag = other.tags.Theirs!;
    const adder = await db.services.sql.reserve();
    const deleter = await db.services.sql.reserve();
    try {
      // The tag is written first; the delete waits for it, then removes it with the account.
      await adder`begin`;
      await adder`insert into account_tags (account_id, tag_id) values (${first!}, ${tag})`;
      const deleting = deleter`delete from accounts where id = ${first!}`;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await adder`commit`;
      await deleting;
      expect(await db.services.sql`select 1 from account_tags where account_id = ${first!}`).toHaveLength(0);
      // The delete comes first: the tag's check waits for it and then finds the account gone.
      await deleter`begin`;
      await deleter`delete from accounts where id = ${second!}`;
      const adding = adder`insert into account_tags (account_id, tag_id) values (${second!}, ${tag})`;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deleter`commit`;
      await expect(adding).rejects.toThrow('an account can only carry tags of its own organisation');
      expect(await db.services.sql`select 1 from account_tags where account_id = ${second!}`).toHaveLength(0);
    } finally {
      adder.release();
      deleter.release();
    }
  });
});

describe('Bulk actions: each changed account gets a line in its history', () => {
  it('written by the same statement, naming the tag and the bulk action; accounts left as they were get none', async () => {
    const admin = await ctxFor(other.systemAdmin.id);
    const a1 = await createAccount(db.services, other.organisationId, {
      email: 'h1@larch.test',
      groupId: other.groups.Far!,
      firstName: 'Hana',
      lastName: 'One',
    });
    const a2 = await createAccount(db.services, other.organisationId, { email: 'h2@larch.test', groupId: other.groups.Far! });
    await db.services.sql`insert into account_tags (account_id, tag_id) values (${a2.id}, ${other.tags.Theirs!})`;
    const selection = await createSelection(admin, { allMatching: false, accountIds: [a1.id, a2.id] });
    const { bulkActionId } = await confirmBulkAction(admin, {
      selectionId: selection.id,
      action: { kind: 'add-tag', tagId: other.tags.Theirs! },
    });
    const lines = await db.services.sql<{ account_id: string }[]>`
      select account_id from bulk_action_accounts where bulk_action_id = ${bulkActionId}`;
    expect(lines).toEqual([{ account_id: a1.id }]);
    // One audit line for the bulk action, none per account.
    expect(
      await db.services.sql`select 1 from audit_log where action = 'account.tag_added' and organisation_id = ${other.organisationId}`,
    ).toHaveLength(0);
    const client = await signedIn(other.systemAdmin.email);
    expect((await client.get(`/accounts/${a1.id}`)).html).toMatch(/Tag added: Theirs\s*\(by System Admin\)/);
    expect((await client.get(`/accounts/${a2.id}`)).html).not.toContain('Tag added');

    const moved = await createSelection(admin, { allMatching: false, accountIds: [a1.id, a2.id] });
    await db.services.sql`insert into groups (organisation_id, name) values (${other.organisationId}, 'Near')`;
    const [near] = await db.services.sql<
      { id: string }[]
    >`select id from groups where organisation_id = ${other.organisationId} and name = 'Near'`;
    const { bulkActionId: move } = await confirmBulkAction(admin, {
      selectionId: moved.id,
      action: { kind: 'move-group', groupId: near!.id },
    });
    const page = (await client.get(`/accounts/${a2.id}`)).html;
    expect(page).toMatch(/Moved to another group: Near\s*\(by System Admin\)/);
    expect(await db.services.sql`select 1 from bulk_action_accounts where bulk_action_id = ${move}`).toHaveLength(2);
    // A bulk action that goes (with its organisation) takes its rows, set-based (sql/0240).
    await db.services.sql`delete from bulk_actions where id = ${move}`;
    expect(await db.services.sql`select 1 from bulk_action_accounts where bulk_action_id = ${move}`).toHaveLength(0);

    const removal = await createSelection(admin, { allMatching: false, accountIds: [a1.id, a2.id] });
    const { bulkActionId: deletion } = await confirmBulkAction(admin, { selectionId: removal.id, action: { kind: 'delete' } });
    expect(await getBulkAction(admin, deletion)).toMatchObject({ status: 'finished', changedCount: 2 });
    // The accounts' rows went with them, set-based (sql/0240).
    expect(await db.services.sql`select 1 from bulk_action_accounts where account_id in (${a1.id}, ${a2.id})`).toHaveLength(0);
  });
});

describe('Old selections are removed', () => {
  it(`a selection older than ${SELECTION_DAYS} days goes when its administrator makes a new one, and every old one with the daily clean-up`, async () => {
    const admin = await ctxFor(other.systemAdmin.id);
    const mine = await createSelection(admin, { allMatching: true, filter: {} });
    const anotherAdmin = await createAccount(db.services, other.organisationId, {
      email: 'admin2@larch.test',
      kind: 'administrator',
      isSystemAdmin: true,
    });
    const theirs = await createSelection(await ctxFor(anotherAdmin.id), { allMatching: true, filter: {} });
    const fresh = await createSelection(admin, { allMatching: true, filter: {} });
    await db.services
      .sql`update account_selections set created_at = now() - make_interval(days => ${SELECTION_DAYS}, mins => 1) where id in (${mine.id}, ${theirs.id})`;
    await createSelection(admin, { allMatching: true, filter: {} });
    await expect(getSelection(admin, mine.id)).rejects.toBeInstanceOf(NotFoundError);
    const left = async () =>
      (await db.services.sql<{ id: string }[]>`select id from account_selections where id in (${mine.id}, ${theirs.id}, ${fresh.id})`).map(
        (r) => r.id,
      );
    expect((await left()).sort()).toEqual([theirs.id, fresh.id].sort());
    expect(await deleteOldSelections(db.services)).toBeGreaterThanOrEqual(1);
    expect(await left()).toEqual([fresh.id]);
  });
});
