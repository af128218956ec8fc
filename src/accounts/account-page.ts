import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import { NotFoundError } from '../errors.js';
import {
  accountAssignmentsSql,
  accountDetailsSql,
  accountHistorySql,
  type AccountAssignmentRow,
  type AccountDetailsRow,
  type AccountHistoryRow,
} from './account-page-sql.js';
import { accountScopeSql } from './scope.js';
import { isUuid } from '../ids.js';

export const HISTORY_LIMIT = 20;

export interface AccountDetails {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  kind: 'user' | 'administrator';
  isSystemAdmin: boolean;
  groupId: string | null;
  groupName: string | null;
  tags: { id: string; name: string }[];
  googleLinked: boolean;
  source: string;
  createdAt: Date;
  lastSignInAt: Date | null;
  deactivatedAt: Date | null;
  /** The actor may change this account (group administrators: learners of their groups). */
  canChange: boolean;
  /** The account is the actor's own (it cannot deactivate or delete itself). */
  isSelf: boolean;
}

export interface AccountAssignment {
  productName: string;
  edition: string;
  mode: 'subscription' | 'manual';
  startsOn: string;
  endsOn: string | null;
  unitNames: string[];
  units: number;
  completed: number;
  status: 'Not started' | 'In progress' | 'Completed';
  createdAt: Date;
  requestId: string | null;
  origin: string | null;
  presetName: string | null;
  requestedBy: string | null;
  importBatchId: string | null;
}

export interface AccountHistoryEntry {
  at: Date;
  action: string;
  details: Record<string, unknown>;
  actorName: string | null;
}

/** An account the actor may see, or NotFoundError (another organisation's or group's id reads as absent). */
export async function getAccountDetails(ctx: Ctx, id: string): Promise<AccountDetails> {
  if (!isUuid(id)) throw new NotFoundError('That account does not exist.');
  const [row] = await ctx.db.execute<AccountDetailsRow>(accountDetailsSql(sql`a.id = ${id} and ${accountScopeSql(ctx.actor, 'a')}`));
  if (!row) throw new NotFoundError('That account does not exist.');
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    kind: row.kind,
    isSystemAdmin: row.is_system_admin,
    groupId: row.group_id,
    groupName: row.group_name,
    tags: row.tags,
    googleLinked: !!row.google_user_id,
    source: row.source,
    createdAt: new Date(row.created_at),
    lastSignInAt: row.last_sign_in_at ? new Date(row.last_sign_in_at) : null,
    deactivatedAt: row.deactivated_at ? new Date(row.deactivated_at) : null,
    canChange: ctx.actor.kind === 'administrator' && (ctx.actor.isSystemAdmin || row.kind === 'user'),
    isSelf: row.id === ctx.actor.id,
  };
}

/** An account's page: the account, its assignments and its recent history, read at once. */
export async function getAccountPage(
  ctx: Ctx,
  id: string,
): Promise<{ account: AccountDetails; assignments: AccountAssignment[]; history: AccountHistoryEntry[] }> {
  const account = await getAccountDetails(ctx, id);
  const org = ctx.actor.organisationId;
  const [assignmentRows, historyRows] = await Promise.all([
    ctx.db.execute<AccountAssignmentRow>(accountAssignmentsSql(account.id, org)),
    ctx.db.execute<AccountHistoryRow>(accountHistorySql(account.id, org, HISTORY_LIMIT)),
  ]);
  return { account, assignments: assignmentRows.map(toAssignment), history: historyRows.map(toHistory) };
}

function toAssignment(r: AccountAssignmentRow): AccountAssignment {
  const status = r.units > 0 && r.completed >= r.units ? 'Completed' : r.completed > 0 || r.in_progress > 0 ? 'In progress' : 'Not started';
  return {
    productName: r.product_name,
    edition: r.edition,
    mode: r.mode,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    unitNames: r.unit_names ?? [],
    units: r.units,
    completed: r.completed,
    status,
    createdAt: new Date(r.created_at),
    requestId: r.request_id,
    origin: r.request_origin,
    presetName: r.preset_name,
    requestedBy: r.requested_by,
    importBatchId: r.import_batch_id,
  };
}

function toHistory(r: AccountHistoryRow): AccountHistoryEntry {
  return { at: new Date(r.at), action: r.action, details: r.details ?? {}, actorName: r.actor_name };
}
