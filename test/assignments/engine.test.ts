import { beforeAll, describe, expect, it } from 'vitest';
import { createSelection } from '../../src/accounts/selection.js';
import { seedDemoCatalogue, listProducts, type Product } from '../../src/assignments/catalogue.js';
import type { AssignmentItem } from '../../src/assignments/items.js';
import { createPreset } from '../../src/assignments/presets.js';
import { createAssignmentRequest, planAssignment } from '../../src/assignments/request.js';
import { getAssignmentRequest, listRequestOutcomes, requestOutcomesCsv } from '../../src/assignments/results.js';
import { runAssignmentRequest } from '../../src/assignments/run.js';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';
import { queuedJobs, runDueJobs } from '../helpers/jobs.js';

const db = useTestDatabase();
let products: Product[];
let workplace: Product;
let life: Product;
let career: Product;

beforeAll(async () => {
  await seedDemoCatalogue(db.services);
  products = await listProducts(db.services);
  workplace = products.find((p) => p.name === 'Workplace Readiness')!;
  life = products.find((p) => p.name === 'Life Skills')!;
  career = products.find((p) => p.name === 'Career Exploration')!;
});

interface World {
  org: OrgFixture;
  admin: Ctx;
  learners: string[];
}

/** A fresh organisation with `n` learners in North and the given credits and setting. */
async function world(options: { credits: number; learners?: number; mayReassignCompleted?: boolean; editions?: string[] }): Promise<World> {
  const org = await createOrganisation(db.services, {
    credits: options.credits,
    mayReassignCompleted: options.mayReassignCompleted ?? false,
    editions: options.editions ?? ['standard', 'enhanced'],
  });
  const learners: string[] = [];
  for (let i = 0; i < (options.learners ?? 3); i++) {
    learners.push(
      (
        await createAccount(db.services, org.organisationId, {
          email: `l${i}-${org.organisationId.slice(0, 6)}@x.test`,
          groupId: org.groups.North!,
          lastName: `L${i}`,
        })
      ).id,
    );
  }
  const actor = (await loadActor(db.services, org.systemAdmin.id))!;
  return { org, admin: { ...db.services, actor }, learners };
}

const subscription = (product: Product, months = 12): AssignmentItem => ({
  productId: product.id,
  edition: 'standard',
  mode: 'subscription',
  startsOn: null,
  months,
});
const manual = (product: Product, units: number[]): AssignmentItem => ({
  productId: product.id,
  edition: 'standard',
  mode: 'manual',
  unitIds: units.map((i) => product.units[i]!.id),
});

async function balance(w: World): Promise<number> {
  const [row] = await db.services.sql<{ b: number }[]>`select credits_balance as b from organisations where id = ${w.org.organisationId}`;
  return row!.b;
}
async function ledger(w: World): Promise<number> {
  const [row] = await db.services.sql<
    { s: number }[]
  >`select coalesce(sum(delta), 0)::int as s from credit_ledger where organisation_id = ${w.org.organisationId}`;
  return row!.s;
}
async function assignmentsOf(w: World) {
  return db.services.sql<{ account_id: string; product_id: string; mode: string; ends_on: string | null; request_id: string }[]>`
    select account_id, product_id, mode, ends_on::text, request_id from assignments where organisation_id = ${w.org.organisationId} order by account_id, product_id`;
}
async function assign(w: World, items: AssignmentItem[], accountIds = w.learners, extra: { mode?: 'assign' | 'reassign' | 'renew' } = {}) {
  const { requestId } = await createAssignmentRequest(w.admin, {
    targets: { kind: 'accounts', accountIds },
    items,
    origin: 'import',
    ...extra,
  });
  return requestId;
}

describe('mass assign: new assignments and credits', () => {
  it('assigns to every account, debits the credits once in the same transaction, and emails the administrator', async () => {
    const w = await world({ credits: 10 });
    const selection = await createSelection(w.admin, { allMatching: false, accountIds: w.learners });
    const plan = await planAssignment(w.admin, {
      targets: { kind: 'selection', selectionId: selection.id },
      items: [subscription(workplace), manual(career, [0, 2])],
    });
    expect(plan).toMatchObject({
      accounts: 3,
      newAssignments: 6,
      skipped: 0,
      creditsNeeded: 3 * 1 + 3 * 2,
      creditsBalance: 10,
      enoughCredits: true,
      includesSubscription: true,
    });
    expect(plan.rows[0]!.products.map((p) => p.outcome)).toEqual(['assign', 'assign']);

    await expect(
      createAssignmentRequest(w.admin, { targets: { kind: 'selection', selectionId: selection.id }, items: [subscription(workplace)] }),
    ).rejects.toMatchObject({ fields: { confirmSubscription: expect.stringContaining("can't be undone") } });

    const { requestId } = await createAssignmentRequest(w.admin, {
      targets: { kind: 'selection', selectionId: selection.id },
      items: [subscription(workplace), manual(career, [0, 2])],
      confirmSubscription: true,
    });
    expect(
      (await queuedJobs(db)).some(
        (j) => j.task === 'run_assignment_request' && (j.payload as { requestId: string }).requestId === requestId,
      ),
    ).toBe(true);
    await runDueJobs(db);

    const rows = await assignmentsOf(w);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.request_id === requestId)).toBe(true);
    const [manualRow] = await db.services.sql<{ unit_ids: string[]; ends_on: string | null }[]>`
      select unit_ids, ends_on from assignments where product_id = ${career.id} and account_id = ${w.learners[0]!}`;
    expect(manualRow!.unit_ids).toEqual([career.units[0]!.id, career.units[2]!.id]);
    expect(manualRow!.ends_on).toBeNull();
    expect(await balance(w)).toBe(1);
    expect(await ledger(w)).toBe(-9);
    const request = await getAssignmentRequest(w.admin, requestId);
    expect(request).toMatchObject({ status: 'finished', assignedCount: 6, skippedCount: 0, creditsSpent: 9 });
    const [mail] = await db.services.sql<{ subject: string; text_body: string; to_address: string }[]>`
      select subject, text_body, to_address from outbox_emails where to_address = ${w.org.systemAdmin.email}`;
    expect(mail!.subject).toBe('Your mass assignment is complete: 6 assigned, 0 skipped');
    expect(mail!.text_body).toContain(`http://rosterbridge.test/assignments/requests/${requestId}`);
    const outcomes = await listRequestOutcomes(w.admin, requestId, { page: 1 });
    expect(outcomes.total).toBe(6);
    expect(outcomes.rows.every((r) => r.outcome === 'assigned')).toBe(true);
  });

  it('never assigns a product twice: skipped as already assigned, no second charge, progress kept', async () => {
    const w = await world({ credits: 10 });
    await runAfter(await assign(w, [subscription(workplace)], [w.learners[0]!]));
    await db.services.sql`
      insert into unit_assignments (account_id, product_id, unit_id, status, progress, completed_at)
      values (${w.learners[0]!}, ${workplace.id}, ${workplace.units[0]!.id}, 'completed', '{"score": 92}', now()),
             (${w.learners[0]!}, ${workplace.id}, ${workplace.units[1]!.id}, 'in_progress', '{"page": 3}', null)`;
    const before = await db.services.sql`select * from unit_assignments where account_id = ${w.learners[0]!} order by unit_id`;
    const second = await assign(w, [subscription(workplace, 6)]);
    await runAfter(second);
    const rows = await assignmentsOf(w);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.account_id === w.learners[0])!.request_id).not.toBe(second);
    expect(await db.services.sql`select * from unit_assignments where account_id = ${w.learners[0]!} order by unit_id`).toEqual(before);
    expect(await balance(w)).toBe(10 - 3);
    expect(await ledger(w)).toBe(-3);
    const outcomes = await listRequestOutcomes(w.admin, second, { page: 1 });
    const first = outcomes.rows.find((r) => r.accountId === w.learners[0])!;
    expect(first).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('Already assigned') });
    expect(outcomes.rows.filter((r) => r.outcome === 'assigned')).toHaveLength(2);
    expect(await getAssignmentRequest(w.admin, second)).toMatchObject({ assignedCount: 2, skippedCount: 1, creditsSpent: 2 });
  });

  it('not enough credits: refused at verification with the numbers; the job re-checks and assigns nothing', async () => {
    const w = await world({ credits: 5, learners: 3 });
    const selection = await createSelection(w.admin, { allMatching: false, accountIds: w.learners });
    const plan = await planAssignment(w.admin, { targets: { kind: 'selection', selectionId: selection.id }, items: [manual(career, [0])] });
    expect(plan).toMatchObject({ creditsNeeded: 6, creditsBalance: 5, enoughCredits: false });
    await expect(
      createAssignmentRequest(w.admin, { targets: { kind: 'selection', selectionId: selection.id }, items: [manual(career, [0])] }),
    ).rejects.toMatchObject({
      fields: {
        credits: 'This assignment needs 6 credits and your organisation has 5. Choose fewer accounts or products, or buy more credits.',
      },
    });
    // An import's preset is not stopped at the door; the job refuses the whole batch.
    const requestId = await assign(w, [manual(career, [0])]);
    await runAfter(requestId);
    expect(await assignmentsOf(w)).toHaveLength(0);
    expect(await balance(w)).toBe(5);
    expect(await ledger(w)).toBe(0);
    const request = await getAssignmentRequest(w.admin, requestId);
    expect(request.status).toBe('failed');
    expect(request.error).toBe('Not enough credits: this assignment needs 6 credits and your organisation has 5. Nothing was assigned.');
    const [mail] = await db.services.sql<
      { subject: string }[]
    >`select subject from outbox_emails where to_address = ${w.org.systemAdmin.email}`;
    expect(mail!.subject).toBe('Your mass assignment was not made');
  });

  it('counts only what will be charged: accounts that already have the product do not count against the balance', async () => {
    const w = await world({ credits: 6, learners: 3 });
    await runAfter(await assign(w, [manual(career, [0])], w.learners.slice(0, 2)));
    expect(await balance(w)).toBe(2);
    // Three accounts at 2 credits would be 6, more than the 2 left; but two already have it.
    const selection = await createSelection(w.admin, { allMatching: false, accountIds: w.learners });
    const { requestId } = await createAssignmentRequest(w.admin, {
      targets: { kind: 'selection', selectionId: selection.id },
      items: [manual(career, [0])],
    });
    await runAfter(requestId);
    expect(await getAssignmentRequest(w.admin, requestId)).toMatchObject({
      status: 'finished',
      assignedCount: 1,
      skippedCount: 2,
      creditsSpent: 2,
    });
    expect(await balance(w)).toBe(0);
    expect(await ledger(w)).toBe(-6);
  });

  it('applies a preset and skips administrator accounts with the reason', async () => {
    const w = await world({ credits: 10, learners: 1 });
    const teacher = await createAccount(db.services, w.org.organisationId, {
      email: `t-${w.org.organisationId}@x.test`,
      kind: 'administrator',
      managedGroupIds: [w.org.groups.North!],
    });
    const preset = await createPreset(w.admin, { name: 'Starter pack', items: [subscription(life, 6)] });
    const { requestId } = await createAssignmentRequest(w.admin, {
      targets: { kind: 'accounts', accountIds: [...w.learners, teacher.id] },
      presetId: preset.id,
      origin: 'import',
    });
    await runAfter(requestId);
    const request = await getAssignmentRequest(w.admin, requestId);
    expect(request).toMatchObject({ presetName: 'Starter pack', assignedCount: 1, skippedCount: 1 });
    const outcomes = await listRequestOutcomes(w.admin, requestId, { page: 1 });
    expect(outcomes.rows.find((r) => r.accountId === teacher.id)).toMatchObject({
      outcome: 'skipped',
      reason: 'Administrator accounts do not take assignments.',
    });
    const [row] = await db.services.sql<
      { ends_on: string; starts_on: string }[]
    >`select starts_on::text, ends_on::text from assignments where account_id = ${w.learners[0]!}`;
    const expected = new Date(`${row!.starts_on}T00:00:00Z`);
    expected.setUTCMonth(expected.getUTCMonth() + 6);
    expect(row!.ends_on).toBe(expected.toISOString().slice(0, 10));
  });
});

describe('mass assign: completed units, re-assignment and renewal', () => {
  async function withProgress(w: World) {
    await runAfter(await assign(w, [subscription(workplace)], [w.learners[0]!]));
    await db.services.sql`
      insert into unit_assignments (account_id, product_id, unit_id, status, progress, completed_at)
      values (${w.learners[0]!}, ${workplace.id}, ${workplace.units[0]!.id}, 'completed', '{"score": 92}', '2026-01-05T10:00:00Z'),
             (${w.learners[0]!}, ${workplace.id}, ${workplace.units[1]!.id}, 'in_progress', '{"page": 3}', null)`;
  }

  it('without the organisation setting, re-assignment and renewal are refused and completed units stay completed', async () => {
    const w = await world({ credits: 10 });
    await withProgress(w);
    await expect(assign(w, [subscription(workplace)], w.learners, { mode: 'reassign' })).rejects.toMatchObject({
      message: 'Your organisation does not allow re-assigning completed units or renewing subscriptions.',
    });
    await runAfter(await assign(w, [subscription(workplace)]));
    const [unit] = await db.services.sql<{ status: string; attempt: number }[]>`
      select status, attempt from unit_assignments where account_id = ${w.learners[0]!} and unit_id = ${workplace.units[0]!.id}`;
    expect(unit).toEqual({ status: 'completed', attempt: 1 });
  });

  it('with the setting and re-assignment chosen, completed units restart and the earlier attempt is kept as history', async () => {
    const w = await world({ credits: 10, mayReassignCompleted: true });
    await withProgress(w);
    const spentBefore = await ledger(w);
    const requestId = await assign(w, [subscription(workplace)], w.learners, { mode: 'reassign' });
    await runAfter(requestId);
    const units = await db.services.sql<
      { unit_id: string; status: string; attempt: number; progress: unknown; completed_at: Date | null }[]
    >`
      select unit_id, status, attempt, progress, completed_at from unit_assignments where account_id = ${w.learners[0]!} order by status`;
    const done = units.find((u) => u.unit_id === workplace.units[0]!.id)!;
    expect(done).toMatchObject({ status: 'not_started', attempt: 2, progress: {}, completed_at: null });
    const inProgress = units.find((u) => u.unit_id === workplace.units[1]!.id)!;
    expect(inProgress).toMatchObject({ status: 'in_progress', attempt: 1, progress: { page: 3 } });
    const history = await db.services.sql<{ attempt: number; status: string; progress: unknown; completed: boolean }[]>`
      select attempt, status, progress, completed_at = '2026-01-05T10:00:00Z' as completed from unit_attempt_history where account_id = ${w.learners[0]!}`;
    expect(history).toEqual([{ attempt: 1, status: 'completed', progress: { score: 92 }, completed: true }]);
    // The re-assignment itself is free; the two accounts without the product got it (2 credits).
    expect((await ledger(w)) - spentBefore).toBe(-2);
    const outcomes = await listRequestOutcomes(w.admin, requestId, { page: 1 });
    expect(outcomes.rows.find((r) => r.accountId === w.learners[0])).toMatchObject({ outcome: 'reassigned' });
    expect(outcomes.rows.filter((r) => r.outcome === 'assigned')).toHaveLength(2);
    // Running the same re-assignment again finds nothing completed: nothing is archived twice.
    await runAfter(await assign(w, [subscription(workplace)], w.learners, { mode: 'reassign' }));
    expect(await db.services.sql`select 1 from unit_attempt_history where account_id = ${w.learners[0]!}`).toHaveLength(1);
  });

  it('renewal extends an expired subscription without touching progress, and skips active ones', async () => {
    const w = await world({ credits: 10, mayReassignCompleted: true, learners: 2 });
    await withProgress(w);
    await runAfter(await assign(w, [subscription(workplace)], [w.learners[1]!]));
    await db.services.sql`update assignments set ends_on = current_date - 10 where account_id = ${w.learners[0]!}`;
    const progressBefore = await db.services.sql`select * from unit_assignments where account_id = ${w.learners[0]!} order by unit_id`;
    const balanceBefore = await balance(w);
    const requestId = await assign(w, [subscription(workplace, 6)], w.learners, { mode: 'renew' });
    await runAfter(requestId);
    const [renewed] = await db.services.sql<{ ok: boolean }[]>`
      select ends_on = (current_date + interval '6 months')::date as ok from assignments where account_id = ${w.learners[0]!}`;
    expect(renewed!.ok).toBe(true);
    expect(await db.services.sql`select * from unit_assignments where account_id = ${w.learners[0]!} order by unit_id`).toEqual(
      progressBefore,
    );
    expect(await balance(w)).toBe(balanceBefore - 1);
    const outcomes = await listRequestOutcomes(w.admin, requestId, { page: 1 });
    expect(outcomes.rows.find((r) => r.accountId === w.learners[0])).toMatchObject({ outcome: 'renewed' });
    expect(outcomes.rows.find((r) => r.accountId === w.learners[1])).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('Subscription still active until'),
    });
  });
});

describe('mass assign: crashes, retries and overlapping requests', () => {
  it('killed inside its transaction, the job leaves nothing; run again it ends exactly as an uninterrupted run', async () => {
    const w = await world({ credits: 20, learners: 5 });
    const requestId = await assign(w, [subscription(workplace), manual(career, [1])]);
    await expect(
      runAssignmentRequest(db.services, requestId, {
        beforeCommit: async () => {
          throw new Error('worker killed');
        },
      }),
    ).rejects.toThrow('worker killed');
    expect(await assignmentsOf(w)).toHaveLength(0);
    expect(await balance(w)).toBe(20);
    expect(await ledger(w)).toBe(0);
    expect(await db.services.sql`select 1 from outbox_emails where to_address = ${w.org.systemAdmin.email}`).toHaveLength(0);
    expect((await getAssignmentRequest(w.admin, requestId)).status).toBe('running');

    expect(await runAssignmentRequest(db.services, requestId)).toBe('finished');
    expect(await assignmentsOf(w)).toHaveLength(10);
    expect(await balance(w)).toBe(20 - 5 - 10);
    expect(await ledger(w)).toBe(-15);
    // A duplicate delivery of the job changes nothing.
    expect(await runAssignmentRequest(db.services, requestId)).toBe('already-done');
    expect(await ledger(w)).toBe(-15);
    expect(await db.services.sql`select 1 from outbox_emails where to_address = ${w.org.systemAdmin.email}`).toHaveLength(1);
  });

  it('two overlapping requests at once give each account the product once and a ledger that matches', async () => {
    const w = await world({ credits: 100, learners: 8 });
    const a = await assign(w, [subscription(workplace)], w.learners.slice(0, 6));
    const b = await assign(w, [subscription(workplace)], w.learners.slice(2, 8));
    const results = await Promise.all([runAssignmentRequest(db.services, a), runAssignmentRequest(db.services, b)]);
    expect(results).toEqual(['finished', 'finished']);
    const rows = await assignmentsOf(w);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.account_id)).size).toBe(8);
    expect(await balance(w)).toBe(92);
    expect(await ledger(w)).toBe(-8);
    const ra = await getAssignmentRequest(w.admin, a);
    const rb = await getAssignmentRequest(w.admin, b);
    expect(ra.assignedCount + rb.assignedCount).toBe(8);
    expect(ra.skippedCount + rb.skippedCount).toBe(4);
    expect(ra.creditsSpent + rb.creditsSpent).toBe(8);
  });
});

describe('mass assign: scope and isolation', () => {
  it("a group administrator's request reaches only accounts in their groups", async () => {
    const w = await world({ credits: 10, learners: 2 });
    const south = await createAccount(db.services, w.org.organisationId, {
      email: `south-${w.org.organisationId}@x.test`,
      groupId: w.org.groups.South!,
    });
    const teacher = await createAccount(db.services, w.org.organisationId, {
      email: `teach-${w.org.organisationId}@x.test`,
      kind: 'administrator',
      managedGroupIds: [w.org.groups.North!],
    });
    const ctx = { ...db.services, actor: (await loadActor(db.services, teacher.id))! };
    const { requestId } = await createAssignmentRequest(ctx, {
      targets: { kind: 'accounts', accountIds: [...w.learners, south.id] },
      items: [manual(life, [0])],
      origin: 'import',
    });
    await runAfter(requestId);
    const rows = await assignmentsOf(w);
    expect(rows.map((r) => r.account_id).sort()).toEqual([...w.learners].sort());
    expect((await getAssignmentRequest(ctx, requestId)).accounts).toBe(2);
  });

  it('another organisation cannot read a request, its outcomes or its CSV, nor use a foreign preset', async () => {
    const w = await world({ credits: 10, learners: 1 });
    const requestId = await assign(w, [manual(life, [0])]);
    await runAfter(requestId);
    const rival = await world({ credits: 10, learners: 1 });
    await expect(getAssignmentRequest(rival.admin, requestId)).rejects.toThrow('That assignment does not exist.');
    await expect(listRequestOutcomes(rival.admin, requestId, { page: 1 })).rejects.toThrow('That assignment does not exist.');
    await expect(requestOutcomesCsv(rival.admin, requestId)).rejects.toThrow('That assignment does not exist.');
    const preset = await createPreset(w.admin, { name: 'Ours', items: [manual(life, [0])] });
    await expect(
      createAssignmentRequest(rival.admin, { targets: { kind: 'accounts', accountIds: rival.learners }, presetId: preset.id }),
    ).rejects.toThrow('That preset assignment does not exist.');
    // Foreign account ids are simply not reached.
    const foreign = await assign(rival, [manual(life, [0])], w.learners);
    await runAfter(foreign);
    expect((await getAssignmentRequest(rival.admin, foreign)).accounts).toBe(0);
    expect(await db.services.sql`select 1 from assignments where request_id = ${foreign}`).toHaveLength(0);
  });

  it('the outcomes CSV neutralises cells a spreadsheet would run', async () => {
    const w = await world({ credits: 10, learners: 0 });
    const evil = await createAccount(db.services, w.org.organisationId, {
      email: `evil-${w.org.organisationId}@x.test`,
      firstName: '=HYPERLINK("x")',
      lastName: 'Doe',
      groupId: w.org.groups.North!,
    });
    const requestId = await assign(w, [manual(life, [0])], [evil.id]);
    await runAfter(requestId);
    const csv = await requestOutcomesCsv(w.admin, requestId);
    expect(csv.split('\r\n')[0]).toBe('Name,Email,Product,Outcome,Reason');
    expect(csv).toContain(`"'=HYPERLINK(""x"") Doe",evil-`);
    expect(csv).toContain(',Life Skills,assigned,');
  });

  it('refuses an edition the organisation does not have', async () => {
    const w = await world({ credits: 10, learners: 1, editions: ['standard'] });
    await expect(assign(w, [{ ...manual(life, [0]), edition: 'enhanced' }])).rejects.toMatchObject({
      fields: { items: 'Life Skills: the enhanced edition is not available to your organisation.' },
    });
  });
});

async function runAfter(requestId: string): Promise<void> {
  await runDueJobs(db);
  const [row] = await db.services.sql<{ status: string }[]>`select status from assignment_requests where id = ${requestId}`;
  if (row!.status !== 'finished' && row!.status !== 'failed') throw new Error(`request ${requestId} is ${row!.status}`);
}

describe('mass assign: integrity the database keeps', () => {
  it("refuses an assignment naming another organisation's account or an unknown product, and drops an account's assignments with it", async () => {
    const w = await world({ credits: 10, learners: 1 });
    const rival = await world({ credits: 10, learners: 1 });
    await expect(db.services.sql`
      insert into assignments (account_id, product_id, organisation_id, mode, edition, starts_on)
      values (${rival.learners[0]!}, ${life.id}, ${w.org.organisationId}, 'manual', 'standard', current_date)`).rejects.toThrow(
      'an assignment must name an account of its organisation, a product and its request',
    );
    await expect(db.services.sql`
      insert into assignments (account_id, product_id, organisation_id, mode, edition, starts_on)
      values (${w.learners[0]!}, gen_random_uuid(), ${w.org.organisationId}, 'manual', 'standard', current_date)`).rejects.toThrow(
      'an assignment must name an account of its organisation',
    );
    await runAfter(await assign(w, [manual(life, [0])]));
    await db.services
      .sql`insert into unit_assignments (account_id, product_id, unit_id, status) values (${w.learners[0]!}, ${life.id}, ${life.units[0]!.id}, 'in_progress')`;
    await db.services.sql`delete from accounts where id = ${w.learners[0]!}`;
    expect(await db.services.sql`select 1 from assignments where account_id = ${w.learners[0]!}`).toHaveLength(0);
    expect(await db.services.sql`select 1 from unit_assignments where account_id = ${w.learners[0]!}`).toHaveLength(0);
  });
});
