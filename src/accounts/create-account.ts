import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { passwordProblem } from '../auth/passwords.js';
import type { Ctx } from '../context.js';
import type { DbHandle } from '../db/client.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { queueEmail } from '../mail/outbox.js';
import { welcomeEmail } from '../mail/welcome-email.js';
import { emailProblem, normaliseEmail } from './email.js';
import { isUniqueViolation } from './own-account.js';
import { toUuidArray } from './scope.js';
import { isUuid } from '../ids.js';

export const NAME_MAX_LENGTH = 100;

export interface CreateAccountInput {
  firstName: string;
  lastName: string;
  email: string;
  kind: string;
  /** System administrators only: the new administrator manages the whole organisation. */
  isSystemAdmin?: boolean;
  /** The account's own group (users; optional for administrators). */
  groupId: string;
  /** Administrators: the groups they manage. */
  managedGroupIds: string[];
  tagIds: string[];
  password: string;
  confirmPassword: string;
  mustChangePassword: boolean;
  sendWelcomeEmail: boolean;
}

export interface CreateAccountOptions {
  /** True when the organisation sends welcome emails (the option is offered only then). */
  welcomeEmailEnabled: boolean;
}

/** What Create Account offers this actor: the choices it may make and whether welcome emails exist. */
export async function createAccountOptions(ctx: Ctx): Promise<CreateAccountOptions> {
  const [org] = await ctx.db.execute<{ welcome_email_enabled: boolean }>(
    sql`select welcome_email_enabled from organisations where id = ${ctx.actor.organisationId}`,
  );
  return { welcomeEmailEnabled: org?.welcome_email_enabled ?? false };
}

/** The name and email rules of every form that writes an account (Create Account, an account's page). */
export function nameAndEmailProblems(firstName: string, lastName: string, email: string): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!firstName) fields.firstName = 'Enter a first name.';
  else if (firstName.length > NAME_MAX_LENGTH) fields.firstName = `A first name can be at most ${NAME_MAX_LENGTH} characters.`;
  if (!lastName) fields.lastName = 'Enter a last name.';
  else if (lastName.length > NAME_MAX_LENGTH) fields.lastName = `A last name can be at most ${NAME_MAX_LENGTH} characters.`;
  const emailError = emailProblem(email);
  if (emailError) fields.email = emailError;
  return fields;
}

/** A learner needs a group; a group administrator places accounts only in the groups they manage. */
export function accountGroupProblem(actor: Ctx['actor'], kind: 'user' | 'administrator', groupId: string | null): string | null {
  if (!actor.isSystemAdmin) {
    if (!groupId) return 'Choose a group.';
    if (!actor.managedGroupIds.includes(groupId)) return 'Choose one of the groups you manage.';
  } else if (kind === 'user' && !groupId) {
    return 'Choose a group.';
  }
  return null;
}

/** The form's values once every rule holds: what the insert writes. */
interface CheckedAccount {
  firstName: string;
  lastName: string;
  email: string;
  kind: 'user' | 'administrator';
  isSystemAdmin: boolean;
  groupId: string | null;
  managedGroupIds: string[];
  tagIds: string[];
}

/**
 * Creates one account. Users can be created by any administrator, in a group they manage;
 * administrators only by system administrators. Every id in the input is checked against the
 * actor's organisation and groups inside the insert itself, so a guessed id creates nothing.
 */
export async function createAccount(ctx: Ctx, input: CreateAccountInput): Promise<{ id: string }> {
  if (ctx.actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can create accounts.');
  const account = checkAccountInput(ctx.actor, input);
  const options = await createAccountOptions(ctx);
  const sendWelcome = input.sendWelcomeEmail && options.welcomeEmailEnabled;
  const hash = await ctx.passwords.hash(input.password);
  try {
    return await ctx.db.transaction(async (tx) => {
      await assertGroupsAndTagsExist(tx, ctx.actor.organisationId, account);
      const id = await insertAccount(tx, ctx.actor.organisationId, account, { hash, mustChangePassword: input.mustChangePassword });
      if (sendWelcome) {
        const [org] = await tx.execute<{ name: string }>(sql`select name from organisations where id = ${ctx.actor.organisationId}`);
        const welcome = {
          organisationId: ctx.actor.organisationId,
          organisationName: org!.name,
          to: account.email,
          firstName: account.firstName,
          appUrl: ctx.appUrl,
        };
        await queueEmail(tx, welcomeEmail(welcome));
      }
      await recordAudit(tx, ctx.actor, 'account.created', {
        subjectType: 'account',
        subjectId: id,
        details: { kind: account.kind, isSystemAdmin: account.isSystemAdmin },
      });
      return { id };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ValidationError('The account was not created.', {
        email: 'An account with this email already exists in your organisation.',
      });
    }
    throw error;
  }
}

/** The form's rules, each broken one named on its field; throws them together. */
function checkAccountInput(actor: Ctx['actor'], input: CreateAccountInput): CheckedAccount {
  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  const email = normaliseEmail(input.email);
  const fields: Record<string, string> = { ...nameAndEmailProblems(firstName, lastName, email) };

  const kind = input.kind === 'administrator' ? 'administrator' : input.kind === 'user' ? 'user' : null;
  if (!kind) fields.kind = 'Choose an account type.';
  else if (kind === 'administrator' && !actor.isSystemAdmin) fields.kind = 'Only system administrators can create administrator accounts.';
  const isSystemAdmin = kind === 'administrator' && actor.isSystemAdmin && input.isSystemAdmin === true;

  const groupId = input.groupId || null;
  const ids = [groupId, ...input.managedGroupIds, ...input.tagIds].filter((x): x is string => !!x);
  if (ids.some((id) => !isUuid(id)))
    throw new ValidationError('The form was changed in a way we cannot use. Reload the page and try again.');
  const groupError = kind ? accountGroupProblem(actor, kind, groupId) : null;
  if (groupError) fields.groupId = groupError;
  const managedGroupIds = kind === 'administrator' && !isSystemAdmin ? [...new Set(input.managedGroupIds)] : [];
  if (kind === 'administrator' && !isSystemAdmin && managedGroupIds.length === 0) {
    fields.managedGroupIds = 'Choose at least one group this administrator manages, or make them a system administrator.';
  }

  const passwordError = passwordProblem(input.password);
  if (passwordError) fields.password = passwordError;
  else if (input.password !== input.confirmPassword) fields.confirmPassword = 'The two passwords are not the same.';

  if (!kind || Object.keys(fields).length) throw new ValidationError('The account was not created.', fields);
  return { firstName, lastName, email, kind, isSystemAdmin, groupId, managedGroupIds, tagIds: [...new Set(input.tagIds)] };
}

/** Groups and tags must be the organisation's; a foreign id makes the counts differ. */
async function assertGroupsAndTagsExist(tx: DbHandle, organisationId: string, account: CheckedAccount): Promise<void> {
  const groupIds = [...new Set([...(account.groupId ? [account.groupId] : []), ...account.managedGroupIds])];
  const [check] = await tx.execute<{ groups: number; tags: number }>(sql`
    select
      (select count(*)::int from groups where organisation_id = ${organisationId} and id = any(${toUuidArray(groupIds)})) as groups,
      (select count(*)::int from tags where organisation_id = ${organisationId} and id = any(${toUuidArray(account.tagIds)})) as tags`);
  if (check!.groups !== groupIds.length || check!.tags !== account.tagIds.length) {
    throw new ValidationError('A group or tag you chose no longer exists. Reload the page and try again.');
  }
}

/** The account row, the groups an administrator manages and the account's tags; returns its id. */
async function insertAccount(
  tx: DbHandle,
  organisationId: string,
  a: CheckedAccount,
  password: { hash: string; mustChangePassword: boolean },
): Promise<string> {
  const [row] = await tx.execute<{ id: string }>(sql`
    insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash, must_change_password, group_id, source)
    values (${organisationId}, ${a.kind}, ${a.isSystemAdmin}, ${a.firstName}, ${a.lastName}, ${a.email}, ${password.hash}, ${password.mustChangePassword}, ${a.groupId}, 'manual')
    returning id`);
  const id = row!.id;
  if (a.managedGroupIds.length) {
    await tx.execute(sql`insert into administrator_groups (account_id, group_id) select ${id}, unnest(${toUuidArray(a.managedGroupIds)})`);
  }
  if (a.tagIds.length) {
    await tx.execute(sql`insert into account_tags (account_id, tag_id) select ${id}, unnest(${toUuidArray(a.tagIds)})`);
  }
  return id;
}
