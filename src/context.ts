import type { PasswordHasher } from './auth/passwords.js';
import type { Db, Sql } from './db/client.js';
import type { Logger } from './observability/logger.js';

/** Who is acting, as every domain function needs to know it to scope its queries. */
export interface Actor {
  id: string;
  organisationId: string;
  kind: 'user' | 'administrator';
  isSystemAdmin: boolean;
  /** Groups an administrator manages. Empty for users; ignored for system administrators. */
  managedGroupIds: string[];
  email: string;
  firstName: string;
  lastName: string;
}

/** What every domain function may use, whoever calls it (page, job or test). */
export interface Services {
  db: Db;
  sql: Sql;
  passwords: PasswordHasher;
  /** Public origin for links in emails, e.g. https://roster.example.org. */
  appUrl: string;
  /** Bound to the request or job being served (its id is on every line). */
  logger: Logger;
}

/** What an actor-scoped domain function runs with. */
export interface Ctx extends Services {
  actor: Actor;
}

export function isAdministrator(actor: Actor): boolean {
  return actor.kind === 'administrator';
}

/** True when the actor may act on an account in `groupId` (null = no group: system administrators only). */
export function managesGroup(actor: Actor, groupId: string | null): boolean {
  if (actor.isSystemAdmin) return true;
  if (actor.kind !== 'administrator' || groupId === null) return false;
  return actor.managedGroupIds.includes(groupId);
}
