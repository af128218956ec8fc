import { sql, type SQL } from 'drizzle-orm';
import { arrayLiteral } from '../db/array-literal.js';
import type { Actor } from '../context.js';

/**
 * The rows of `accounts` (aliased `alias`) the actor may see: its organisation, and for a group
 * administrator only the groups it manages. Every query over accounts goes through this.
 */
export function accountScopeSql(actor: Actor, alias = 'a'): SQL {
  const a = sql.raw(alias);
  if (actor.isSystemAdmin) return sql`${a}.organisation_id = ${actor.organisationId}`;
  if (actor.kind !== 'administrator') return sql`${a}.organisation_id = ${actor.organisationId} and ${a}.id = ${actor.id}`;
  return sql`${a}.organisation_id = ${actor.organisationId} and ${a}.group_id = any(${toUuidArray(actor.managedGroupIds)})`;
}

/** Groups the actor may see and place accounts in. */
export function groupScopeSql(actor: Actor, alias = 'g'): SQL {
  const g = sql.raw(alias);
  if (actor.isSystemAdmin) return sql`${g}.organisation_id = ${actor.organisationId}`;
  return sql`${g}.organisation_id = ${actor.organisationId} and ${g}.id = any(${toUuidArray(actor.managedGroupIds)})`;
}

export function toUuidArray(ids: string[]): SQL {
  return sql`${arrayLiteral(ids)}::uuid[]`;
}
