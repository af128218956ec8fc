import { loadActor } from '../../src/auth/actor.js';
import type { Ctx, Services } from '../../src/context.js';
import type { TestDatabase } from './database.js';

export const TEST_PASSWORD = 'correct-horse-battery';
let testHash: Promise<string> | undefined;

/** One argon2id hash of TEST_PASSWORD per test process. */
export function testPasswordHash(services: Services): Promise<string> {
  testHash ??= services.passwords.hash(TEST_PASSWORD);
  return testHash;
}

export interface OrgFixture {
  organisationId: string;
  groups: Record<string, string>;
  tags: Record<string, string>;
  systemAdmin: AccountFixture;
}

export interface AccountFixture {
  id: string;
  email: string;
}

export async function createOrganisation(
  services: Services,
  options: {
    name?: string;
    groups?: string[];
    tags?: string[];
    credits?: number;
    mayReassignCompleted?: boolean;
    welcomeEmailEnabled?: boolean;
    editions?: string[];
  } = {},
): Promise<OrgFixture> {
  const name = options.name ?? `Org ${Math.random().toString(36).slice(2, 8)}`;
  const [org] = await services.sql<{ id: string }[]>`
    insert into organisations (name, credits_balance, may_reassign_completed, welcome_email_enabled, editions)
    values (${name}, ${options.credits ?? 0}, ${options.mayReassignCompleted ?? false}, ${options.welcomeEmailEnabled ?? false},
            ${options.editions ?? ['standard']}) returning id`;
  const organisationId = org!.id;
  const groups: Record<string, string> = {};
  for (const g of options.groups ?? ['North', 'South']) {
    const [row] = await services.sql<
      { id: string }[]
    >`insert into groups (organisation_id, name) values (${organisationId}, ${g}) returning id`;
    groups[g] = row!.id;
  }
  const tags: Record<string, string> = {};
  for (const t of options.tags ?? ['Grade 9', 'Grade 10']) {
    const [row] = await services.sql<
      { id: string }[]
    >`insert into tags (organisation_id, name) values (${organisationId}, ${t}) returning id`;
    tags[t] = row!.id;
  }
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const systemAdmin = await createAccount(services, organisationId, {
    email: `admin@${slug}.test`,
    kind: 'administrator',
    isSystemAdmin: true,
    firstName: 'System',
    lastName: 'Admin',
  });
  return { organisationId, groups, tags, systemAdmin };
}

export async function createAccount(
  services: Services,
  organisationId: string,
  options: {
    email: string;
    firstName?: string;
    lastName?: string;
    kind?: 'user' | 'administrator';
    isSystemAdmin?: boolean;
    groupId?: string | null;
    managedGroupIds?: string[];
    tagIds?: string[];
    mustChangePassword?: boolean;
    googleUserId?: string | null;
  },
): Promise<AccountFixture> {
  const hash = await testPasswordHash(services);
  const [row] = await services.sql<{ id: string }[]>`
    insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash, must_change_password, group_id, google_user_id)
    values (${organisationId}, ${options.kind ?? 'user'}, ${options.isSystemAdmin ?? false}, ${options.firstName ?? 'Test'}, ${options.lastName ?? 'Person'},
            ${options.email}, ${hash}, ${options.mustChangePassword ?? false}, ${options.groupId ?? null}, ${options.googleUserId ?? null})
    returning id`;
  const id = row!.id;
  for (const groupId of options.managedGroupIds ?? []) {
    await services.sql`insert into administrator_groups (account_id, group_id) values (${id}, ${groupId})`;
  }
  for (const tagId of options.tagIds ?? []) {
    await services.sql`insert into account_tags (account_id, tag_id) values (${id}, ${tagId})`;
  }
  return { id, email: options.email };
}

/** The feature context of an account, as a page, a job or a test calls the features with. */
export async function ctxFor(db: TestDatabase, accountId: string): Promise<Ctx> {
  const actor = await loadActor(db.services, accountId);
  if (!actor) throw new Error(`no active account ${accountId}`);
  return { ...db.services, actor };
}
