import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { passwordProblem } from '../auth/passwords.js';
import type { Ctx } from '../context.js';
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

/**
 * Creates one account. Users can be created by any administrator, in a group they manage;
 * administrators only by system administrators. Every id in the input is checked against the
 * actor's organisation and groups inside the insert itself, so a guessed id creates nothing.
 */
export async function createAccount(ctx: Ctx, input: CreateAccountInput): Promise<{ id: string }> {
  const { actor } = ctx;
  if (actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can create accounts.');
  const fields: Record<string, string> = {};
  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  const email = normaliseEmail(input.email);
  if (!firstName) fields.firstName = 'Enter a first name.';
  else if (firstName.length > NAME_MAX_LENGTH) fields.firstName = `A first name can be at most ${NAME_MAX_LENGTH} characters.`;
  if (!lastName) fields.lastName = 'Enter a last name.';
  else if (lastName.length > NAME_MAX_LENGTH) fields.lastName = `A last name can be at most ${NAME_MAX_LENGTH} characters.`;
  const emailError = emailProblem(email);
  if (emailError) fields.email = emailError;

  const kind = input.kind === 'administrator' ? 'administrator' : input.kind === 'user' ? 'user' : null;
  if (!kind) fields.kind = 'Choose an account type.';
  else if (kind === 'administrator' && !actor.isSystemAdmin) fields.kind = 'Only system administrators can create administrator accounts.';
  const isSystemAdmin = kind === 'administrator' && actor.isSystemAdmin && input.isSystemAdmin === true;

  const groupId = input.groupId || null;
  const ids = [groupId, ...input.managedGroupIds, ...input.tagIds].filter((x): x is string => !!x);
  if (ids.some((id) => !isUuid(id))) throw new ValidationError('The form was changed in a way we cannot use. Reload the page and try again.');
  if (!actor.isSystemAdmin) {
    if (!groupId) fields.groupId = 'Choose a group.';
    else if (!actor.managedGroupIds.includes(groupId)) fields.groupId = 'Choose one of the groups you manage.';
  } else if (kind === 'user' && !groupId) {
    fields.groupId = 'Choose a group.';
  }
  const managedGroupIds = kind === 'administrator' && !isSystemAdmin ? [...new Set(input.managedGroupIds)] : [];
  if (kind === 'administrator' && !isSystemAdmin && managedGroupIds.length === 0) {
    fields.managedGroupIds = 'Choose at least one group this administrator manages, or make them a system administrator.';
  }

  const passwordError = passwordProblem(input.password);
  if (passwordError) fields.password = passwordError;
  else if (input.password !== input.confirmPassword) fields.confirmPassword = 'The two passwords are not the same.';

  const options = await createAccountOptions(ctx);
  const sendWelcome = input.sendWelcomeEmail && options.welcomeEmailEnabled;
  if (Object.keys(fields).length) throw new ValidationError('The account was not created.', fields);

  const tagIds = [...new Set(input.tagIds)];
  const hash = await ctx.passwords.hash(input.password);
  try {
    return await ctx.db.transaction(async (tx) => {
      // Groups and tags must be the organisation's; a foreign id makes the counts differ.
      const [check] = await tx.execute<{ groups: number; tags: number }>(sql`
        select
          (select count(*)::int from groups where organisation_id = ${actor.organisationId} and id = any(${toUuidArray([...new Set([...(groupId ? [groupId] : []), ...managedGroupIds])])})) as groups,
          (select count(*)::int from tags where organisation_id = ${actor.organisationId} and id = any(${toUuidArray(tagIds)})) as tags`);
      const expectedGroups = new Set([...(groupId ? [groupId] : []), ...managedGroupIds]).size;
      if (check!.groups !== expectedGroups || check!.tags !== tagIds.length) {
        throw new ValidationError('A group or tag you chose no longer exists. Reload the page and try again.');
      }
      const [row] = await tx.execute<{ id: string }>(sql`
        insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash, must_change_password, group_id, source)
        values (${actor.organisationId}, ${kind}, ${isSystemAdmin}, ${firstName}, ${lastName}, ${email}, ${hash}, ${input.mustChangePassword}, ${groupId}, 'manual')
        returning id`);
      const id = row!.id;
      if (managedGroupIds.length) {
        await tx.execute(sql`insert into administrator_groups (account_id, group_id) select ${id}, unnest(${toUuidArray(managedGroupIds)})`);
      }
      if (tagIds.length) {
        await tx.execute(sql`insert into account_tags (account_id, tag_id) select ${id}, unnest(${toUuidArray(tagIds)})`);
      }
      if (sendWelcome) {
        const [org] = await tx.execute<{ name: string }>(sql`select name from organisations where id = ${actor.organisationId}`);
        await queueEmail(tx, welcomeEmail({ organisationId: actor.organisationId, organisationName: org!.name, to: email, firstName, appUrl: ctx.appUrl }));
      }
      await recordAudit(tx, actor, 'account.created', { subjectType: 'account', subjectId: id, details: { kind, isSystemAdmin } });
      return { id };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ValidationError('The account was not created.', { email: 'An account with this email already exists in your organisation.' });
    }
    throw error;
  }
}
