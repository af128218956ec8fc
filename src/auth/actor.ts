import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Actor, Services } from '../context.js';
import { accounts } from '../db/schema/index.js';

/** Loads an account as an Actor, with the groups it manages and its organisation's time zone. Null when the account is gone or deactivated. */
export async function loadActor(
  services: Pick<Services, 'db'>,
  accountId: string,
): Promise<(Actor & { mustChangePassword: boolean; timeZone: string }) | null> {
  const rows = await services.db
    .select({
      id: accounts.id,
      organisationId: accounts.organisationId,
      kind: accounts.kind,
      isSystemAdmin: accounts.isSystemAdmin,
      email: accounts.email,
      firstName: accounts.firstName,
      lastName: accounts.lastName,
      mustChangePassword: accounts.mustChangePassword,
      timeZone: sql<string>`(select o.time_zone from organisations o where o.id = ${accounts.organisationId})`,
      managedGroupIds: sql<
        string[]
      >`coalesce((select array_agg(ag.group_id::text) from administrator_groups ag where ag.account_id = ${accounts.id}), '{}')`,
    })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), isNull(accounts.deactivatedAt)));
  return rows[0] ?? null;
}
