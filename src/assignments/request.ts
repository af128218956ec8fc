import { sql, type SQL } from 'drizzle-orm';
import { accountScopeSql, toUuidArray } from '../accounts/scope.js';
import { getSelection, selectionConditionSql } from '../accounts/selection.js';
import type { Ctx } from '../context.js';
import { recordAudit } from '../audit.js';
import type { Tx } from '../db/client.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { addJobSql } from '../jobs.js';
import { itemProblems, listProducts, unparsedItemProblems } from './catalogue.js';
import {
  planItems,
  type AssignmentPlan,
  type AssignmentPlanInput,
  type AssignmentRequestMode,
  type AssignmentTargets,
  type PlannedItem,
  type PlannedOutcome,
} from './plan.js';
import { itemsSql, pairsSql, reasonTextSql } from './rules.js';
import { includesSubscription, parseAssignmentItems, type AssignmentItem } from './items.js';
import { getPreset } from './presets.js';
import { paginate } from '../pagination.js';
import { isUuid } from '../ids.js';

export const PLAN_PAGE_SIZE = 50;

interface ResolvedInput {
  items: AssignmentItem[];
  planned: PlannedItem[];
  presetId: string | null;
  presetName: string | null;
  mode: AssignmentRequestMode;
  /** `select a.id, a.kind, deactivated from accounts a where ...`: the target accounts the actor may reach. */
  targetsSql: SQL;
}

async function resolveInput(ctx: Ctx, input: AssignmentPlanInput): Promise<ResolvedInput> {
  if (ctx.actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can make assignments.');
  let items: AssignmentItem[];
  let presetId: string | null = null;
  let presetName: string | null = null;
  if (input.presetId) {
    const preset = await getPreset(ctx, input.presetId);
    items = preset.items;
    presetId = preset.id;
    presetName = preset.name;
    if (items.length === 0)
      throw new ValidationError('That preset assignment has no products.', { items: 'Edit the preset assignment to add a product.' });
  } else {
    try {
      items = parseAssignmentItems(input.items ?? []);
    } catch {
      throw new ValidationError('The assignment cannot be made as it is.', unparsedItemProblems(input.items, await listProducts(ctx)));
    }
  }
  const [org] = await ctx.db.execute<{ editions: string[]; may_reassign_completed: boolean }>(
    sql`select editions, may_reassign_completed from organisations where id = ${ctx.actor.organisationId}`,
  );
  const products = await listProducts(ctx);
  const problems = itemProblems(items, products, org?.editions ?? []);
  if (problems.length) throw new ValidationError('The assignment cannot be made as it is.', { items: problems.join(' ') });
  const mode = input.mode ?? 'assign';
  if (mode !== 'assign' && !org?.may_reassign_completed) {
    throw new ValidationError('Your organisation does not allow re-assigning completed units or renewing subscriptions.', {
      mode: 'Contact support to have the setting turned on, or make a new assignment.',
    });
  }
  if (mode === 'renew' && !includesSubscription(items)) {
    throw new ValidationError('Only subscriptions can be renewed.', {
      mode: 'Choose Subscription for the product to renew, or make a re-assignment.',
    });
  }
  return { items, planned: planItems(items, products), presetId, presetName, mode, targetsSql: await targetsSql(ctx, input.targets) };
}

async function targetsSql(ctx: Ctx, targets: AssignmentTargets): Promise<SQL> {
  if (targets.kind === 'selection') {
    return sql`select a.id, a.kind, a.deactivated_at is not null as deactivated from accounts a where ${selectionConditionSql(ctx, await getSelection(ctx, targets.selectionId))}`;
  }
  const ids = targets.accountIds.filter((id) => isUuid(id));
  return sql`select a.id, a.kind, a.deactivated_at is not null as deactivated from accounts a where ${accountScopeSql(ctx.actor, 'a')} and a.id = any(${toUuidArray(ids)})`;
}

interface PlanTotals {
  accounts: number;
  assign: number;
  renew: number;
  reassign: number;
  skip: number;
  credits: number;
  balance: number;
}

async function planTotals(ctx: Ctx, resolved: ResolvedInput): Promise<PlanTotals> {
  const pairs = pairsSql(resolved.targetsSql, itemsSql(resolved.items, resolved.planned), resolved.mode);
  const [totals] = await ctx.db.execute<PlanTotals & Record<string, unknown>>(sql`
    with p as (${pairs})
    select (select count(distinct account_id) from p)::int as accounts,
      count(*) filter (where outcome = 'assign')::int as assign,
      count(*) filter (where outcome = 'renew')::int as renew,
      count(*) filter (where outcome = 'reassign')::int as reassign,
      count(*) filter (where outcome = 'skip')::int as skip,
      coalesce(sum(credit_cost) filter (where outcome in ('assign', 'renew')), 0)::int as credits,
      (select credits_balance from organisations where id = ${ctx.actor.organisationId}) as balance
    from p`);
  return totals!;
}

/** What Confirm Assignment would do, for the verification page: counts, credits and a page of accounts. */
export async function planAssignment(ctx: Ctx, input: AssignmentPlanInput, options: { page?: number } = {}): Promise<AssignmentPlan> {
  const resolved = await resolveInput(ctx, input);
  const items = itemsSql(resolved.items, resolved.planned);
  const t = await planTotals(ctx, resolved);
  const { page, pageCount, offset } = paginate(t.accounts, options.page, PLAN_PAGE_SIZE);
  const pageRows = await ctx.db.execute<{
    account_id: string;
    name: string;
    email: string;
    products: { position: number; outcome: PlannedOutcome; reason: string | null }[];
  }>(sql`
    with targets as (
      select a.id, a.kind, t.deactivated, a.first_name, a.last_name, a.email from (${resolved.targetsSql}) t join accounts a on a.id = t.id
      order by a.last_name, a.first_name, a.id limit ${PLAN_PAGE_SIZE} offset ${offset}
    ), p as (${pairsSql(sql`select id, kind, deactivated from targets`, items, resolved.mode)})
    select t.id as account_id, t.first_name || ' ' || t.last_name as name, t.email,
      json_agg(json_build_object('position', p.position, 'outcome', p.outcome, 'reason', ${reasonTextSql('p')}) order by p.position) as products
    from targets t join p on p.account_id = t.id
    group by t.id, t.first_name, t.last_name, t.email
    order by t.last_name, t.first_name, t.id`);
  return {
    accounts: t.accounts,
    items: resolved.planned,
    presetName: resolved.presetName,
    mode: resolved.mode,
    newAssignments: t.assign,
    renewals: t.renew,
    reassignments: t.reassign,
    skipped: t.skip,
    creditsNeeded: t.credits,
    creditsBalance: t.balance,
    enoughCredits: t.credits <= t.balance,
    includesSubscription: includesSubscription(resolved.items),
    page,
    pageCount,
    rows: pageRows.map((r) => ({
      accountId: r.account_id,
      name: r.name,
      email: r.email,
      products: r.products.map((p) => ({ productName: resolved.planned[p.position]!.productName, outcome: p.outcome, reason: p.reason })),
    })),
  };
}

/**
 * Confirm Assignment: freezes what to give and to whom (the account ids the actor may reach now),
 * and enqueues run_assignment_request in the same transaction (the caller's when given, e.g. an
 * import finishing its batch). From View Accounts, a subscription must be confirmed and the
 * credits must suffice; the job checks the credits again whatever the origin.
 */
export async function createAssignmentRequest(
  ctx: Ctx,
  input: AssignmentPlanInput & { confirmSubscription?: boolean; notifyActor?: boolean; origin?: 'accounts' | 'import' | 'classroom' },
  tx?: Tx,
): Promise<{ requestId: string }> {
  const resolved = await resolveInput(ctx, input);
  const origin = input.origin ?? (input.targets.kind === 'selection' ? 'accounts' : 'import');
  const fromAccounts = origin === 'accounts';
  if (fromAccounts && includesSubscription(resolved.items) && !input.confirmSubscription) {
    throw new ValidationError('Confirm the subscription first.', {
      confirmSubscription: "Tick the box to confirm you are making a subscription assignment and that it can't be undone.",
    });
  }
  const write = async (t: Tx) => {
    // One pass over the targets: freeze their ids and count the credits they need.
    const pairs = pairsSql(sql`select id, kind, deactivated from chosen`, itemsSql(resolved.items, resolved.planned), resolved.mode);
    // Every chosen account paying for every item is the most it can cost; when the balance covers
    // that (the usual case), the pairs need not be worked out here: the job counts them anyway.
    const mostPerAccount = resolved.planned.reduce((sum, item) => sum + item.creditCost, 0);
    const credits = sql`(select case
        when (select count(*) from chosen) * ${mostPerAccount}::bigint <= (select credits_balance from organisations where id = ${ctx.actor.organisationId})
          then 0
        else (select coalesce(sum(credit_cost) filter (where outcome in ('assign', 'renew')), 0) from (${pairs}) p)
      end)::int`;
    const [row] = await t.execute<{ id: string; accounts: number; credits: number; balance: number }>(sql`
      with chosen as materialized (${resolved.targetsSql}),
      request as (
        insert into assignment_requests (organisation_id, created_by, origin, mode, preset_id, preset_name, items, account_ids, notify_actor)
        select ${ctx.actor.organisationId}, ${ctx.actor.id}, ${origin}, ${resolved.mode}, ${resolved.presetId}, ${resolved.presetName},
          ${JSON.stringify(resolved.items)}::jsonb, coalesce((select array_agg(id) from chosen), '{}'), ${input.notifyActor ?? true}
        returning id, cardinality(account_ids) as accounts)
      select request.id, request.accounts,
        ${fromAccounts ? credits : sql`0`} as credits,
        (select credits_balance from organisations where id = ${ctx.actor.organisationId}) as balance
      from request`);
    if (fromAccounts) {
      if (row!.accounts === 0)
        throw new ValidationError('None of the chosen accounts can be reached any more.', {
          items: 'Go back to View Accounts and choose again.',
        });
      // From View Accounts the shortfall is refused here with the numbers (nothing is written);
      // the job checks again whatever the origin.
      if (row!.credits > row!.balance) {
        throw new ValidationError('There are not enough credits for this assignment.', {
          credits: `This assignment needs ${row!.credits} credits and your organisation has ${row!.balance}. Choose fewer accounts or products, or buy more credits.`,
        });
      }
    }
    const requestId = row!.id;
    await t.execute(addJobSql('run_assignment_request', { requestId }, { jobKey: `run_assignment_request:${requestId}`, maxAttempts: 10 }));
    await recordAudit(t, ctx.actor, 'assignment.requested', {
      subjectType: 'assignment_request',
      subjectId: requestId,
      details: { accounts: row!.accounts, mode: resolved.mode, presetId: resolved.presetId, origin },
    });
    return { requestId };
  };
  if (tx) return write(tx);
  return ctx.db.transaction((t) => write(t));
}
