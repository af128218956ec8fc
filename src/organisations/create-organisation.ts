import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { EMAIL_MAX_LENGTH, emailProblem, normaliseEmail } from '../accounts/email.js';
import { NAME_MAX_LENGTH } from '../accounts/create-account.js';
import { recordAudit } from '../audit.js';
import { createSignInLink, signInLinkUrl } from '../auth/sign-in-links.js';
import type { Services } from '../context.js';
import { ValidationError } from '../errors.js';

const ORGANISATION_NAME_MAX_LENGTH = 200;

const trimmed = (max: number, label: string) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.nonEmpty(`Give ${label}.`),
    v.maxLength(max, `${label[0]!.toUpperCase()}${label.slice(1)} can be at most ${max} characters.`),
  );

export const CreateOrganisationInput = v.object({
  name: trimmed(ORGANISATION_NAME_MAX_LENGTH, 'the organisation a name'),
  adminEmail: v.pipe(
    v.string(),
    v.transform(normaliseEmail),
    v.check(
      (e) => emailProblem(e) === null,
      (issue) => emailProblem(String(issue.input)) ?? 'Give a valid email.',
    ),
    v.maxLength(EMAIL_MAX_LENGTH),
  ),
  adminFirstName: v.optional(trimmed(NAME_MAX_LENGTH, 'the administrator a first name'), 'System'),
  adminLastName: v.optional(trimmed(NAME_MAX_LENGTH, 'the administrator a last name'), 'Administrator'),
});

export interface CreatedOrganisation {
  organisationId: string;
  name: string;
  adminId: string;
  adminEmail: string;
  /** One-time link where the first system administrator chooses a password. */
  signInLink: string;
}

/** Parses input with a valibot schema, throwing a ValidationError that names each wrong field. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, message: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const fields: Record<string, string> = {};
  for (const issue of result.issues) {
    const key = issue.path?.map((p) => String(p.key)).join('.') ?? 'input';
    fields[key] ??= issue.message;
  }
  throw new ValidationError(message, fields);
}

/**
 * An operator's command: a new organisation with its first system administrator, who has no
 * password yet and gets a one-time sign-in link to choose one. Names are unique ignoring case so
 * that operators can name an organisation in later commands.
 */
export async function createOrganisation(services: Services, raw: unknown): Promise<CreatedOrganisation> {
  const input = parseInput(CreateOrganisationInput, raw, 'The organisation was not created.');
  return services.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('organisations.name'))`);
    const [taken] = await tx.execute<{ id: string }>(sql`select id from organisations where lower(name) = lower(${input.name})`);
    if (taken)
      throw new ValidationError('The organisation was not created.', {
        name: `An organisation named "${input.name}" already exists (${taken.id}).`,
      });
    const [org] = await tx.execute<{ id: string }>(sql`insert into organisations (name) values (${input.name}) returning id`);
    const [admin] = await tx.execute<{ id: string }>(sql`
      insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash, source)
      values (${org!.id}, 'administrator', true, ${input.adminFirstName}, ${input.adminLastName}, ${input.adminEmail}, null, 'manual')
      returning id`);
    const token = await createSignInLink(tx, { accountId: admin!.id, organisationId: org!.id });
    await recordAudit(tx, null, 'organisation.created', {
      organisationId: org!.id,
      subjectType: 'organisation',
      subjectId: org!.id,
      details: { name: input.name, firstSystemAdministrator: admin!.id, by: 'operator' },
    });
    return {
      organisationId: org!.id,
      name: input.name,
      adminId: admin!.id,
      adminEmail: input.adminEmail,
      signInLink: signInLinkUrl(services.appUrl, token),
    };
  });
}
