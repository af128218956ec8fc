import { sql, type SQL } from 'drizzle-orm';
import type { AssignmentItem } from './items.js';
import type { AssignmentRequestMode, PlannedItem } from './request.js';

/** The items as rows SQL can join: product, mode, months, start, units (null = every unit) and cost. */
export function itemsSql(items: AssignmentItem[], planned: PlannedItem[]): SQL {
  const rows = items.map((item, i) => ({
    product_id: item.productId,
    mode: item.mode,
    edition: item.edition,
    months: item.mode === 'subscription' ? item.months : null,
    starts_on: item.mode === 'subscription' ? item.startsOn : null,
    unit_ids: item.mode === 'manual' ? item.unitIds : null,
    credit_cost: planned[i]!.creditCost,
    position: i,
  }));
  return sql`select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as i(
    product_id uuid, mode assignment_mode, edition text, months int, starts_on date, unit_ids uuid[], credit_cost int, position int)`;
}

/**
 * Every (account, product) pair of a request with what will happen to it and why. One rule set,
 * read by the verification page and applied by the job, so what is shown is what is done.
 * `accounts` yields the targets' `id` and `kind`; the result has account_id, product_id, outcome, reason, cost.
 */
export function pairsSql(accounts: SQL, items: SQL, mode: AssignmentRequestMode): SQL {
  return sql`
    select t.id as account_id, i.product_id, i.position, i.mode, i.edition, i.months, i.starts_on, i.unit_ids, i.credit_cost,
      x.mode as existing_mode, x.ends_on as existing_ends_on,
      case
        when t.kind <> 'user' then 'skip'
        when x.account_id is null then 'assign'
        when ${mode} = 'renew' and i.mode = 'subscription' and x.mode = 'subscription' and x.ends_on < current_date then 'renew'
        when ${mode} = 'reassign' and exists (
          select 1 from unit_assignments u where u.account_id = t.id and u.product_id = i.product_id and u.status = 'completed'
            and (i.unit_ids is null or u.unit_id = any(i.unit_ids))) then 'reassign'
        else 'skip'
      end as outcome,
      case
        when t.kind <> 'user' then 'Administrator accounts do not take assignments.'
        when x.account_id is null then null
        when ${mode} = 'renew' and i.mode = 'subscription' and x.mode = 'subscription' and x.ends_on < current_date then null
        when ${mode} = 'renew' and x.mode = 'subscription' then 'Subscription still active until ' || to_char(x.ends_on, 'FMMonth FMDD, YYYY') || '.'
        when ${mode} = 'renew' then 'Assigned manually: there is no subscription to renew.'
        when ${mode} = 'reassign' and exists (
          select 1 from unit_assignments u where u.account_id = t.id and u.product_id = i.product_id and u.status = 'completed'
            and (i.unit_ids is null or u.unit_id = any(i.unit_ids))) then null
        when ${mode} = 'reassign' then 'Already assigned, with no completed units to re-assign.'
        else 'Already assigned: not assigned again, so no credits are used and progress is kept.'
      end as reason
    from (${accounts}) t
    cross join (${items}) i
    left join assignments x on x.account_id = t.id and x.product_id = i.product_id`;
}


