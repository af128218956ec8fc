import { type SQL, sql } from 'drizzle-orm';
import type { Actor, Services } from '../context.js';

/** An account as an Actor, with the groups it manages, its organisation's time zone and whether it must change its password. */
export type LoadedActor = Actor & { mustChangePassword: boolean; timeZone: string };

/**
 * The columns of a LoadedActor read from `accounts` aliased `a` (one row per account). Shared by
 * loadActor and the request's session lookup, which reads session and actor in one statement.
 */
export function actorColumnsSql(): SQL {
  return sql`a.id, a.organisation_id as "organisationId", a.kind, a.is_system_admin as "isSystemAdmin", a.email,
    a.first_name as "firstName", a.last_name as "lastName", a.must_change_password as "mustChangePassword",
    (select o.time_zone from organisations o where o.id = a.organisation_id) as "timeZone",
    coalesce((select array_agg(ag.group_id::text) from administrator_groups ag where ag.account_id = a.id), '{}') as "managedGroupIds"`;
}

/** Loads an account as an Actor, with the groups it manages and its organisation's time zone. Null when the account is gone or deactivated. */
export async function loadActor(services: Pick<Services, 'db'>, accountId: string): Promise<LoadedActor | null> {
  const rows = await services.db.execute<LoadedActor & Record<string, unknown>>(
    sql`select ${actorColumnsSql()} from accounts a where a.id = ${accountId} and a.deactivated_at is null`,
  );
  return rows[0] ?? null;
}
