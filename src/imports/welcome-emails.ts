import { sql, type SQL } from 'drizzle-orm';
import type { DbHandle } from '../db/client.js';
import { welcomeEmail } from '../mail/welcome-email.js';

/**
 * The welcome emails of a chunk of new accounts, as queueEmail writes them (an outbox row and its
 * send_email job, in the caller's transaction), but in two statements for the whole chunk rather
 * than two per account.
 */
export async function queueWelcomeEmails(
  tx: DbHandle,
  input: { organisationId: string; organisationName: string; appUrl: string; recipients: SQL },
): Promise<number> {
  const people = await tx.execute<{ email: string; first_name: string }>(input.recipients);
  if (!people.length) return 0;
  const messages = people.map((p) =>
    welcomeEmail({
      organisationId: input.organisationId,
      organisationName: input.organisationName,
      to: p.email,
      firstName: p.first_name,
      appUrl: input.appUrl,
    }),
  );
  const payload = JSON.stringify(messages.map((m) => ({ to: m.to, subject: m.subject, text: m.text, html: m.html ?? null })));
  await tx.execute(sql`
    with m as (select * from jsonb_to_recordset(${payload}::jsonb) as m("to" text, subject text, text text, html text)),
    ins as (
      insert into outbox_emails (organisation_id, to_address, subject, text_body, html_body)
      select ${input.organisationId}, m."to", m.subject, m.text, m.html from m
      returning id)
    select graphile_worker.add_job(identifier => 'send_email', payload => json_build_object('id', ins.id),
      max_attempts => 12, job_key => 'send_email:' || ins.id) from ins`);
  return people.length;
}
