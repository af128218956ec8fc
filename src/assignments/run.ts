import { sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { accountScopeSql } from '../accounts/scope.js';
import { loadActor } from '../auth/actor.js';
import type { Services } from '../context.js';
import type { Db, Tx } from '../db/client.js';
import { queueEmail } from '../mail/outbox.js';
import { listProducts } from './catalogue.js';
import { AssignmentItemsSchema } from './items.js';
import { planItems } from './plan.js';
import { itemsSql, pairsSql } from './rules.js';
import {
  applyPairsSql,
  chosenAccountsSql,
  debitSql,
  failRequestSql,
  finishRequestSql,
  lockedOrganisationSql,
  lockedRequestSql,
  markRunningSql,
  type AppliedRow,
  type LockedOrganisationRow,
  type LockedRequestRow,
} from './run-sql.js';

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
  await services.db.execute(markRunningSql(requestId));
  return services.db.transaction(async (tx) => {
    // The pairs of a large request are sorted and hashed in memory rather than spilled to disk
    // (the 4 MB default holds about 30k pairs); for this transaction only.
    await tx.execute(sql`set local work_mem = '64MB'`);
    const [request] = await tx.execute<LockedRequestRow>(lockedRequestSql(requestId));
    if (!request) return 'missing';
    if (request.status === 'finished' || request.status === 'failed') return 'already-done';
    const run: Run = { tx, services, requestId, request, options };
    const ready = await readyToApply(run);
    if (typeof ready === 'string') return fail(run, ready);
    const applied = await applyWithinCredits(run, ready);
    if (typeof applied === 'string') return fail(run, applied);
    return finish(run, applied);
  });
}

/** One run's transaction and what it read first. */
interface Run {
  tx: Tx;
  services: Services;
  requestId: string;
  request: LockedRequestRow;
  options: RunAssignmentOptions;
}

/** The request ends as not made, with a message for the person who asked. */
async function fail(run: Run, error: string): Promise<'failed'> {
  await run.tx.execute(failRequestSql(run.requestId, error));
  await notify(run.tx, run.services, run.requestId, run.request.created_by, run.request.notify_actor, { failed: error });
  await run.options.beforeCommit?.(run.tx);
  return 'failed';
}

/**
 * What the request still may do, checked again now (the administrator, the products, the
 * organisation's setting), with its pairs; or why nothing is assigned.
 */
async function readyToApply(run: Run): Promise<{ pairs: SQL; items: SQL; balance: number } | string> {
  const { tx, request } = run;
  const [org] = await tx.execute<LockedOrganisationRow>(lockedOrganisationSql(request.organisation_id));
  const actor = request.created_by ? await loadActor({ db: tx as unknown as Db }, request.created_by) : null;
  if (actor?.kind !== 'administrator' || actor.organisationId !== request.organisation_id) {
    return 'The administrator who asked for this assignment no longer has an administrator account, so nothing was assigned.';
  }
  const parsed = v.safeParse(AssignmentItemsSchema, request.items);
  if (!parsed.success) return 'The products of this assignment could not be read, so nothing was assigned.';
  if (request.mode !== 'assign' && !org!.may_reassign_completed) {
    return 'Your organisation no longer allows re-assigning completed units or renewing subscriptions, so nothing was assigned.';
  }
  const items = itemsSql(parsed.output, planItems(parsed.output, await listProducts({ db: tx as unknown as Db })));
  await tx.execute(chosenAccountsSql(run.requestId));
  const targets = sql`select a.id, a.kind, a.deactivated_at is not null as deactivated from job_chosen c join accounts a on a.id = c.id where ${accountScopeSql(actor, 'a')}`;
  return { pairs: pairsSql(targets, items, request.mode), items, balance: org!.credits_balance };
}

/**
 * Everything is written in one pass under a savepoint; if it costs more credits than the
 * organisation has (the rare case, already refused at Confirm when it came from View Accounts),
 * the savepoint is rolled back and the request is refused with the numbers.
 */
async function applyWithinCredits(run: Run, ready: { pairs: SQL; items: SQL; balance: number }): Promise<AppliedRow | string> {
  const { request } = run;
  try {
    return await run.tx.transaction(async (sp) => {
      const [result] = await sp.execute<AppliedRow>(
        applyPairsSql(run.requestId, request.organisation_id, request.mode, ready.pairs, ready.items),
      );
      if (result!.spent > ready.balance) throw new ShortOfCredits(result!.spent, ready.balance);
      return result!;
    });
  } catch (error) {
    if (!(error instanceof ShortOfCredits)) throw error;
    return `Not enough credits: this assignment needs ${error.needed} credits and your organisation has ${error.balance}. Nothing was assigned.`;
  }
}

/** The debit and its ledger line, the request's end and the email. */
async function finish(run: Run, d: AppliedRow): Promise<'finished'> {
  const { tx, request, requestId } = run;
  if (d.spent > 0) {
    const reason = `Mass assignment${request.preset_name ? `: ${request.preset_name}` : ''}`;
    await tx.execute(debitSql(request.organisation_id, d.spent, reason, requestId));
  }
  const applied = d.assigned + d.renewed + d.reassigned;
  await tx.execute(finishRequestSql(requestId, { applied, skipped: d.pairs - applied, spent: d.spent }));
  await notify(tx, run.services, requestId, request.created_by, request.notify_actor, {
    assigned: applied,
    skipped: d.pairs - applied,
    spent: d.spent,
  });
  await run.options.beforeCommit?.(tx);
  return 'finished';
}

class ShortOfCredits extends Error {
  constructor(
    readonly needed: number,
    readonly balance: number,
  ) {
    super('not enough credits');
  }
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
  const subject = failed
    ? 'Your mass assignment was not made'
    : `Your mass assignment is complete: ${result.assigned} assigned, ${result.skipped} skipped`;
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
