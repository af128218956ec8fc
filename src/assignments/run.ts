import { sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { accountScopeSql } from '../accounts/scope.js';
import { loadActor } from '../auth/actor.js';
import type { Services } from '../context.js';
import type { Db, Tx } from '../db/client.js';
import { queueEmail } from '../mail/outbox.js';
import { listProducts } from './catalogue.js';
import { AssignmentItemsSchema } from './items.js';
import { planItems, type AssignmentRequestMode } from './plan.js';
import { itemsSql, pairsSql, reasonTextSql } from './rules.js';


export type RunOutcome = 'finished' | 'failed' | 'already-done' | 'missing';

export interface RunAssignmentOptions {
  /** Test seam: runs inside the transaction, after every write and before the commit. */
  beforeCommit?: (tx: Tx) => Promise<void>;
}

/**
 * The run_assignment_request job. Everything it writes (assignments, renewals, re-assigned units
 * with their history, outcomes, the credit debit and its ledger line, the request's end and the
 * email) commits together in one transaction, with the organisation's row locked so overlapping
 * requests queue behind each other. Killed anywhere, nothing is left; run again, it does it all.
 * A handful of statements whatever the number of accounts.
 */
export async function runAssignmentRequest(services: Services, requestId: string, options: RunAssignmentOptions = {}): Promise<RunOutcome> {
  // Visible at once, so the progress page can say the work has started.
  await services.db.execute(sql`
    update assignment_requests set status = 'running', started_at = coalesce(started_at, now()) where id = ${requestId} and status = 'queued'`);
  return services.db.transaction(async (tx) => {
    // The pairs of a large request are sorted and hashed in memory rather than spilled to disk
    // (the 4 MB default holds about 30k pairs); for this transaction only.
    await tx.execute(sql`set local work_mem = '64MB'`);
    const [request] = await tx.execute<{
      organisation_id: string;
      created_by: string | null;
      mode: AssignmentRequestMode;
      items: unknown;
      status: string;
      notify_actor: boolean;
      preset_name: string | null;
      accounts: number;
    }>(sql`
      select organisation_id, created_by, mode, items, status, notify_actor, preset_name, cardinality(account_ids) as accounts
      from assignment_requests where id = ${requestId} for no key update`);
    if (!request) return 'missing';
    if (request.status === 'finished' || request.status === 'failed') return 'already-done';
    const [org] = await tx.execute<{ credits_balance: number; may_reassign_completed: boolean }>(sql`
      select credits_balance, may_reassign_completed from organisations where id = ${request.organisation_id} for no key update`);

    const fail = async (error: string) => {
      await tx.execute(sql`update assignment_requests set status = 'failed', error = ${error}, finished_at = now() where id = ${requestId}`);
      await notify(tx, services, requestId, request.created_by, request.notify_actor, { failed: error });
      await options.beforeCommit?.(tx);
      return 'failed' as const;
    };

    const actor = request.created_by ? await loadActor({ db: tx as unknown as Db }, request.created_by) : null;
    if (actor?.kind !== 'administrator' || actor.organisationId !== request.organisation_id) {
      return fail('The administrator who asked for this assignment no longer has an administrator account, so nothing was assigned.');
    }
    const parsed = v.safeParse(AssignmentItemsSchema, request.items);
    if (!parsed.success) return fail('The products of this assignment could not be read, so nothing was assigned.');
    if (request.mode !== 'assign' && !org!.may_reassign_completed) {
      return fail('Your organisation no longer allows re-assigning completed units or renewing subscriptions, so nothing was assigned.');
    }
    const items = itemsSql(parsed.output, planItems(parsed.output, await listProducts({ db: tx as unknown as Db })));
    // The accounts frozen at confirm time that the administrator may still reach. A temporary
    // table (unlike unnest) tells the planner how many rows there are, so the joins below are
    // hash joins rather than 100k index probes.
    await tx.execute(sql`
      create temp table job_chosen on commit drop as
      select unnest(account_ids) as id from assignment_requests where id = ${requestId}`);
    const targets = sql`select a.id, a.kind, a.deactivated_at is not null as deactivated from job_chosen c join accounts a on a.id = c.id where ${accountScopeSql(actor, 'a')}`;
    const pairs = pairsSql(targets, items, request.mode);

    // Everything is written in one pass under a savepoint; if it costs more credits than the
    // organisation has (the rare case, already refused at Confirm when it came from View
    // Accounts), the savepoint is rolled back and the request is refused with the numbers.
    let d: { pairs: number; assigned: number; renewed: number; reassigned: number; spent: number };
    try {
      d = await tx.transaction(async (sp) => {
        const result = await applyPairs(sp, requestId, request.organisation_id, request.mode, pairs, items);
        if (result.spent > org!.credits_balance) throw new ShortOfCredits(result.spent, org!.credits_balance);
        return result;
      });
    } catch (error) {
      if (!(error instanceof ShortOfCredits)) throw error;
      return fail(`Not enough credits: this assignment needs ${error.needed} credits and your organisation has ${error.balance}. Nothing was assigned.`);
    }
    if (d.spent > 0) {
      await tx.execute(sql`
        with debit as (update organisations set credits_balance = credits_balance - ${d.spent} where id = ${request.organisation_id} returning id)
        insert into credit_ledger (organisation_id, delta, reason, request_id)
        select id, ${-d.spent}, ${`Mass assignment${request.preset_name ? `: ${request.preset_name}` : ''}`}, ${requestId} from debit`);
    }
    const applied = d.assigned + d.renewed + d.reassigned;
    await tx.execute(sql`
      update assignment_requests set status = 'finished', finished_at = now(), assigned_count = ${applied},
        skipped_count = ${d.pairs - applied}, credits_spent = ${d.spent}, error = null
      where id = ${requestId}`);
    await notify(tx, services, requestId, request.created_by, request.notify_actor, { assigned: applied, skipped: d.pairs - applied, spent: d.spent });
    await options.beforeCommit?.(tx);
    return 'finished' as const;
  });
}

class ShortOfCredits extends Error {
  constructor(
    readonly needed: number,
    readonly balance: number,
  ) {
    super('not enough credits');
  }
}

/**
 * The writes of a request, in one statement: new assignments, renewals, re-assigned units with
 * their earlier attempt archived, and the outcomes the assignments table cannot tell. Only the
 * parts the mode can need are in the statement.
 *
 * New assignments are a plain INSERT, without ON CONFLICT: every writer of assignments holds the
 * organisation's row lock (taken above), so the pairs, read after it, already know every
 * assignment that exists; the primary key still stands guard, and a conflict would fail the
 * statement and the job would be retried, never half-done. Rows go in primary-key order, which
 * keeps the index's pages hot and takes row locks in one order.
 */
async function applyPairs(
  tx: Tx,
  requestId: string,
  organisationId: string,
  mode: AssignmentRequestMode,
  pairs: SQL,
  items: SQL,
): Promise<{ pairs: number; assigned: number; renewed: number; reassigned: number; spent: number }> {
  const renewals =
    mode === 'renew'
      ? sql`,
      renewed as (
        update assignments x set ends_on = (current_date + make_interval(months => i.months))::date
        from p join i using (position)
        where p.outcome = 'renew' and x.account_id = p.account_id and x.product_id = p.product_id)`
      : sql``;
  const reassignments =
    mode === 'reassign'
      ? sql`,
      widened as (
        update assignments x set unit_ids = array(select distinct unnest(x.unit_ids || i.unit_ids))
        from p join i using (position)
        where p.outcome = 'reassign' and x.mode = 'manual' and i.mode = 'manual'
          and x.account_id = p.account_id and x.product_id = p.product_id),
      redo as (
        select u.account_id, u.product_id, u.unit_id
        from unit_assignments u join p on u.account_id = p.account_id and u.product_id = p.product_id join i using (position)
        where p.outcome = 'reassign' and u.status = 'completed' and (i.unit_ids is null or u.unit_id = any(i.unit_ids))),
      archived as (
        insert into unit_attempt_history (account_id, product_id, unit_id, attempt, status, progress, completed_at, request_id)
        select u.account_id, u.product_id, u.unit_id, u.attempt, u.status, u.progress, u.completed_at, ${requestId}
        from unit_assignments u join redo r using (account_id, product_id, unit_id)
        on conflict do nothing),
      reset as (
        update unit_assignments u set status = 'not_started', progress = '{}'::jsonb, completed_at = null, attempt = u.attempt + 1, updated_at = now()
        from redo r where u.account_id = r.account_id and u.product_id = r.product_id and u.unit_id = r.unit_id)`
      : sql``;
  const [done] = await tx.execute<{ pairs: number; assigned: number; renewed: number; reassigned: number; spent: number }>(sql`
      with i as (${items}),
      p as materialized (
        select account_id, product_id, position, outcome, reason_code, existing_mode, existing_ends_on from (${pairs}) q),
      added as (
        insert into assignments (account_id, product_id, organisation_id, mode, edition, unit_ids, starts_on, ends_on, request_id)
        select p.account_id, p.product_id, ${organisationId}, i.mode, i.edition, i.unit_ids,
          coalesce(i.starts_on, current_date),
          case when i.mode = 'subscription' then (coalesce(i.starts_on, current_date) + make_interval(months => i.months))::date end,
          ${requestId}
        from p join i using (position)
        where p.outcome = 'assign'
        order by p.account_id, p.product_id)${renewals}${reassignments},
      noted as (
        -- Plain assignments and "already assigned" are read from assignments.request_id; the rest is written down.
        insert into assignment_outcomes (request_id, account_id, product_id, outcome, reason)
        select ${requestId}, p.account_id, p.product_id,
          case p.outcome when 'renew' then 'renewed' when 'reassign' then 'reassigned' else 'skipped' end, ${reasonTextSql('p')}
        from p where p.outcome in ('renew', 'reassign') or (p.outcome = 'skip' and (p.existing_mode is null or ${mode} <> 'assign'))
        on conflict do nothing)
      -- Data-modifying CTEs run to completion whether or not they are read; every pair of an
      -- outcome is written (a conflict fails the statement), so the counts are the pairs'.
      select count(*)::int as pairs,
        count(*) filter (where p.outcome = 'assign')::int as assigned,
        count(*) filter (where p.outcome = 'renew')::int as renewed,
        count(*) filter (where p.outcome = 'reassign')::int as reassigned,
        coalesce(sum(i.credit_cost) filter (where p.outcome in ('assign', 'renew')), 0)::int as spent
      from p join i using (position)`);
  return done!;
}

async function notify(
  tx: Tx,
  services: Services,
  requestId: string,
  actorId: string | null,
  wanted: boolean,
  result: { failed: string } | { assigned: number; skipped: number; spent: number },
): Promise<void> {
  if (!wanted || !actorId) return;
  const [actor] = await tx.execute<{ email: string; first_name: string; organisation_id: string }>(
    sql`select email, first_name, organisation_id from accounts where id = ${actorId}`,
  );
  if (!actor) return;
  const link = `${services.appUrl}/assignments/requests/${requestId}`;
  const failed = 'failed' in result;
  const subject = failed ? 'Your mass assignment was not made' : `Your mass assignment is complete: ${result.assigned} assigned, ${result.skipped} skipped`;
  const text = [
    `Hello ${actor.first_name},`,
    '',
    failed
      ? result.failed
      : `Your mass assignment is complete. ${result.assigned} assignment${result.assigned === 1 ? ' was' : 's were'} made and ${result.skipped} ${result.skipped === 1 ? 'was' : 'were'} skipped. ${result.spent} credit${result.spent === 1 ? ' was' : 's were'} used.`,
    '',
    `See every account and the reason for each skip at ${link}`,
  ].join('\n');
  await queueEmail(tx, { organisationId: actor.organisation_id, to: actor.email, subject, text });
}
