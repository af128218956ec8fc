import { sql, type SQL } from 'drizzle-orm';
import { toUuidArray } from '../accounts/scope.js';
import type { AssignmentItem } from './items.js';
import type { AssignmentRequestMode, PlannedItem } from './plan.js';

/**
 * The items as rows SQL can join: product, mode, months, start, units (null = every unit) and cost.
 * A VALUES list rather than jsonb_to_recordset: the planner then knows how many items there are
 * (it guesses 100 for a set-returning function, and plans a 100k-account request as 10M pairs).
 */
export function itemsSql(items: AssignmentItem[], planned: PlannedItem[]): SQL {
  const rows = items.map((item, i) => {
    const months = item.mode === 'subscription' ? item.months : null;
    const startsOn = item.mode === 'subscription' ? item.startsOn : null;
    const unitIds = item.mode === 'manual' ? toUuidArray(item.unitIds) : sql`null::uuid[]`;
    return sql`(${item.productId}::uuid, ${item.mode}::assignment_mode, ${item.edition}::text, ${months}::int, ${startsOn}::date,
      ${unitIds}, ${planned[i]!.creditCost}::int, ${i}::int)`;
  });
  return sql`select * from (values ${sql.join(rows, sql`, `)}) as i(product_id, mode, edition, months, starts_on, unit_ids, credit_cost, position)`;
}

/**
 * Every (account, product) pair of a request with what will happen to it and why. One rule set,
 * read by the verification page and applied by the job, so what is shown is what is done.
 * `accounts` yields the targets' `id`, `kind` and `deactivated`; each row has account_id, product_id, the item's
 * options, outcome (assign | renew | reassign | skip) and reason_code (why a skip; see reasonTextSql).
 */
export function pairsSql(accounts: SQL, items: SQL, mode: AssignmentRequestMode): SQL {
  return sql`
    select b.*,
      case
        when b.kind <> 'user' then 'skip'
        when b.deactivated then 'skip'
        when b.existing_mode is null then 'assign'
        when ${mode} = 'renew' and b.mode = 'subscription' and b.existing_mode = 'subscription' and b.existing_ends_on < current_date then 'renew'
        when b.has_completed then 'reassign'
        else 'skip'
      end as outcome,
      case
        when b.kind <> 'user' then 'administrator'
        when b.deactivated then 'deactivated'
        when b.existing_mode is null then null
        when ${mode} = 'renew' and b.mode = 'subscription' and b.existing_mode = 'subscription' and b.existing_ends_on < current_date then null
        when ${mode} = 'renew' and b.existing_mode = 'subscription' then 'active'
        when ${mode} = 'renew' then 'manual'
        when b.has_completed then null
        when ${mode} = 'reassign' then 'nothing_completed'
        else 'already'
      end as reason_code
    from (
      select t.id as account_id, t.kind, t.deactivated, i.product_id, i.position, i.mode, i.edition, i.months, i.starts_on, i.unit_ids, i.credit_cost,
        x.mode as existing_mode, x.ends_on as existing_ends_on,
        (${mode} = 'reassign' and x.account_id is not null and exists (
          select 1 from unit_assignments u where u.account_id = t.id and u.product_id = i.product_id and u.status = 'completed'
            and (i.unit_ids is null or u.unit_id = any(i.unit_ids)))) as has_completed
      from (${accounts}) t
      cross join (${items}) i
      left join assignments x on x.account_id = t.id and x.product_id = i.product_id
    ) b`;
}

/** The words for a pair's reason_code (`p` is a row of pairsSql). Only computed where it is read. */
export function reasonTextSql(p: string): SQL {
  const r = sql.raw(p);
  return sql`case ${r}.reason_code
    when 'administrator' then 'Administrator accounts do not take assignments.'
    when 'deactivated' then 'The account is deactivated: reactivate it on its page, then assign again.'
    when 'active' then 'Subscription still active until ' || to_char(${r}.existing_ends_on, 'FMMonth FMDD, YYYY') || '.'
    when 'manual' then 'Assigned manually: there is no subscription to renew.'
    when 'nothing_completed' then 'Already assigned, with no completed units to re-assign.'
    when 'already' then 'Already assigned: not assigned again, so no credits are used and progress is kept.'
  end`;
}
