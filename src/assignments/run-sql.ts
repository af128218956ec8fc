import { sql, type SQL } from 'drizzle-orm';
import type { AssignmentRequestMode } from './plan.js';
import { reasonTextSql } from './rules.js';

/** The statements of the run_assignment_request job (run.ts runs them, in one transaction). */

export function markRunningSql(requestId: string): SQL {
  return sql`
    update assignment_requests set status = 'running', started_at = coalesce(started_at, now()) where id = ${requestId} and status = 'queued'`;
}

export type LockedRequestRow = {
  organisation_id: string;
  created_by: string | null;
  mode: AssignmentRequestMode;
  items: unknown;
  status: string;
  notify_actor: boolean;
  preset_name: string | null;
  accounts: number;
};

export function lockedRequestSql(requestId: string): SQL {
  return sql`
    select organisation_id, created_by, mode, items, status, notify_actor, preset_name, cardinality(account_ids) as accounts
    from assignment_requests where id = ${requestId} for no key update`;
}

export type LockedOrganisationRow = { credits_balance: number; may_reassign_completed: boolean };

/** The organisation's row, locked: every writer of assignments takes it, so requests queue. */
export function lockedOrganisationSql(organisationId: string): SQL {
  return sql`select credits_balance, may_reassign_completed from organisations where id = ${organisationId} for no key update`;
}

export function failRequestSql(requestId: string, error: string): SQL {
  return sql`update assignment_requests set status = 'failed', error = ${error}, finished_at = now() where id = ${requestId}`;
}

/**
 * The accounts frozen at confirm time, as the temporary table job_chosen. A temporary table
 * (unlike unnest) tells the planner how many rows there are, so the joins are hash joins rather
 * than 100k index probes.
 */
export function chosenAccountsSql(requestId: string): SQL {
  return sql`
    create temp table job_chosen on commit drop as
    select unnest(account_ids) as id from assignment_requests where id = ${requestId}`;
}

export type AppliedRow = { pairs: number; assigned: number; renewed: number; reassigned: number; spent: number };

/** Subscriptions renewed from today (the pairs p and items i of applyPairsSql). */
function renewalsSql(): SQL {
  return sql`,
      renewed as (
        update assignments x set ends_on = (current_date + make_interval(months => i.months))::date
        from p join i using (position)
        where p.outcome = 'renew' and x.account_id = p.account_id and x.product_id = p.product_id)`;
}

/** Manual assignments widened to the new units, completed units archived and reset (p and i of applyPairsSql). */
function reassignmentsSql(requestId: string): SQL {
  return sql`,
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
        from redo r where u.account_id = r.account_id and u.product_id = r.product_id and u.unit_id = r.unit_id)`;
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
export function applyPairsSql(requestId: string, organisationId: string, mode: AssignmentRequestMode, pairs: SQL, items: SQL): SQL {
  const renewals = mode === 'renew' ? renewalsSql() : sql``;
  const reassignments = mode === 'reassign' ? reassignmentsSql(requestId) : sql``;
  return sql`
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
      from p join i using (position)`;
}

/** The credits spent, taken from the balance with a line in the credit history. */
export function debitSql(organisationId: string, spent: number, reason: string, requestId: string): SQL {
  return sql`
    with debit as (update organisations set credits_balance = credits_balance - ${spent} where id = ${organisationId} returning id)
    insert into credit_ledger (organisation_id, delta, reason, request_id)
    select id, ${-spent}, ${reason}, ${requestId} from debit`;
}

export function finishRequestSql(requestId: string, counts: { applied: number; skipped: number; spent: number }): SQL {
  return sql`
    update assignment_requests set status = 'finished', finished_at = now(), assigned_count = ${counts.applied},
      skipped_count = ${counts.skipped}, credits_spent = ${counts.spent}, error = null
    where id = ${requestId}`;
}
