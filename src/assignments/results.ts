import { sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import type { Ctx } from '../context.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { csvLine } from '../imports/csv/write.js';
import { listProducts } from './catalogue.js';
import { AssignmentItemsSchema } from './items.js';
import { planItems, type AssignmentRequestMode, type PlannedItem } from './plan.js';
import { paginate } from '../pagination.js';
import { isUuid } from '../ids.js';

export interface AssignmentRequestView {
  id: string;
  status: 'queued' | 'running' | 'finished' | 'failed';
  mode: AssignmentRequestMode;
  origin: string;
  presetName: string | null;
  items: PlannedItem[];
  accounts: number;
  assignedCount: number;
  skippedCount: number;
  creditsSpent: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdByName: string | null;
}

export type OutcomeName = 'assigned' | 'renewed' | 'reassigned' | 'skipped' | 'not assigned';

export interface OutcomeRow {
  accountId: string;
  name: string;
  email: string;
  productName: string;
  outcome: OutcomeName;
  reason: string | null;
}

export const OUTCOMES_PAGE_SIZE = 100;

/** Requests the actor may read: a system administrator, all of the organisation's; others, their own. */
function requestScope(ctx: Ctx): SQL {
  if (ctx.actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can see assignments.');
  return ctx.actor.isSystemAdmin
    ? sql`r.organisation_id = ${ctx.actor.organisationId}`
    : sql`r.organisation_id = ${ctx.actor.organisationId} and r.created_by = ${ctx.actor.id}`;
}

type RequestRow = {
  id: string;
  status: AssignmentRequestView['status'];
  mode: AssignmentRequestMode;
  origin: string;
  preset_name: string | null;
  items: unknown;
  accounts: number;
  assigned_count: number;
  skipped_count: number;
  credits_spent: number;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  created_by_name: string | null;
};

async function readRequests(ctx: Ctx, where: SQL, limit: number): Promise<AssignmentRequestView[]> {
  const rows = await ctx.db.execute<RequestRow>(sql`
    select r.id, r.status, r.mode, r.origin, r.preset_name, r.items, cardinality(r.account_ids) as accounts, r.assigned_count, r.skipped_count,
      r.credits_spent, r.error, r.created_at, r.started_at, r.finished_at, c.first_name || ' ' || c.last_name as created_by_name
    from assignment_requests r left join accounts c on c.id = r.created_by
    where ${requestScope(ctx)} and ${where}
    order by r.created_at desc limit ${limit}`);
  const products = rows.length ? await listProducts(ctx) : [];
  const known = new Set(products.map((p) => p.id));
  return rows.map((r) => {
    const parsed = v.safeParse(AssignmentItemsSchema, r.items);
    const items = parsed.success ? parsed.output.filter((i) => known.has(i.productId)) : [];
    return {
      id: r.id,
      status: r.status,
      mode: r.mode,
      origin: r.origin,
      presetName: r.preset_name,
      items: planItems(items, products),
      accounts: r.accounts,
      assignedCount: r.assigned_count,
      skippedCount: r.skipped_count,
      creditsSpent: r.credits_spent,
      error: r.error,
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      createdByName: r.created_by_name,
    };
  });
}

export async function getAssignmentRequest(ctx: Ctx, id: string): Promise<AssignmentRequestView> {
  if (!isUuid(id)) throw new NotFoundError('That assignment does not exist.');
  const [request] = await readRequests(ctx, sql`r.id = ${id}`, 1);
  if (!request) throw new NotFoundError('That assignment does not exist.');
  return request;
}

/** The latest requests, newest first. */
export async function listAssignmentRequests(ctx: Ctx, options: { limit?: number } = {}): Promise<AssignmentRequestView[]> {
  return readRequests(ctx, sql`true`, options.limit ?? 100);
}

/**
 * One row per account and product of a request, by last name, then first name. Plain
 * assignments and "already assigned" are read from the assignments themselves (their request_id
 * never changes); renewals, re-assignments and other skips were written down by the job.
 */
function outcomesSql(ctx: Ctx, id: string, window: SQL): SQL {
  return sql`
    with r as (select r.* from assignment_requests r where r.id = ${id} and ${requestScope(ctx)}),
    i as (select (e.value->>'productId')::uuid as product_id, e.ordinality as item_n
          from r, jsonb_array_elements(r.items) with ordinality as e),
    t as (select u.account_id, u.n, lower(na.last_name) as last_key, lower(na.first_name) as first_key
          from r cross join unnest(r.account_ids) with ordinality as u(account_id, n)
          left join accounts na on na.id = u.account_id and na.organisation_id = r.organisation_id),
    pairs as (select t.account_id, t.n, t.last_key, t.first_key, i.product_id, i.item_n from t cross join i
              order by t.last_key nulls last, t.first_key, t.n, i.item_n ${window})
    select pairs.account_id as "accountId",
      coalesce(a.first_name || ' ' || a.last_name, '(account deleted)') as name, coalesce(a.email, '') as email,
      coalesce(p.name, '(product withdrawn)') as "productName",
      case
        when r.status = 'failed' then 'not assigned'
        when r.status <> 'finished' then 'not assigned'
        when o.outcome is not null then o.outcome
        when x.request_id = r.id then 'assigned'
        when x.account_id is not null then 'skipped'
        else 'not assigned'
      end as outcome,
      case
        when r.status = 'failed' then r.error
        when r.status <> 'finished' then 'Not applied yet.'
        when o.outcome is not null then o.reason
        when x.request_id = r.id then null
        when x.account_id is not null then 'Already assigned: not assigned again, so no credits are used and progress is kept.'
        else 'Not reachable when the assignment ran (outside your groups, or deleted).'
      end as reason
    from pairs cross join r
    left join accounts a on a.id = pairs.account_id and a.organisation_id = r.organisation_id
    left join products p on p.id = pairs.product_id
    left join assignment_outcomes o on o.request_id = r.id and o.account_id = pairs.account_id and o.product_id = pairs.product_id
    left join assignments x on x.account_id = pairs.account_id and x.product_id = pairs.product_id
    order by pairs.last_key nulls last, pairs.first_key, pairs.n, pairs.item_n`;
}

export async function listRequestOutcomes(
  ctx: Ctx,
  id: string,
  options: { page: number },
): Promise<{ rows: OutcomeRow[]; page: number; pageCount: number; total: number }> {
  const request = await getAssignmentRequest(ctx, id);
  const total = request.accounts * request.items.length;
  const { page, pageCount, offset } = paginate(total, options.page, OUTCOMES_PAGE_SIZE);
  const rows = await ctx.db.execute<OutcomeRow & Record<string, unknown>>(
    outcomesSql(ctx, id, sql`limit ${OUTCOMES_PAGE_SIZE} offset ${offset}`),
  );
  return { rows, page, pageCount, total };
}

/** Every outcome as CSV (cells a spreadsheet would run as formulas are neutralised). */
export async function requestOutcomesCsv(ctx: Ctx, id: string): Promise<string> {
  await getAssignmentRequest(ctx, id);
  const rows = await ctx.db.execute<OutcomeRow & Record<string, unknown>>(outcomesSql(ctx, id, sql``));
  let out = csvLine(['Name', 'Email', 'Product', 'Outcome', 'Reason']);
  for (const r of rows) out += csvLine([r.name, r.email, r.productName, r.outcome, r.reason ?? '']);
  return out;
}

export interface OutcomeTally {
  outcome: OutcomeName;
  reason: string | null;
  count: number;
}

/** A request's outcomes counted by outcome and reason ("skipped, already assigned: 12"), for a summary beside what made it. */
export async function tallyRequestOutcomes(ctx: Ctx, id: string): Promise<OutcomeTally[]> {
  await getAssignmentRequest(ctx, id);
  return ctx.db.execute<OutcomeTally & Record<string, unknown>>(sql`
    select o.outcome, o.reason, count(*)::int as count from (${outcomesSql(ctx, id, sql``)}) o
    group by o.outcome, o.reason order by count(*) desc, o.outcome`);
}
