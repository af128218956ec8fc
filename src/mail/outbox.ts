import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client.js';
import { addJobSql } from '../jobs.js';

export interface OutgoingEmail {
  organisationId: string | null;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
}

/**
 * Writes the message to the outbox and enqueues its send_email job, both in the caller's
 * transaction: the email exists exactly when the work that causes it commits.
 */
export async function queueEmail(tx: DbHandle, email: OutgoingEmail): Promise<string> {
  const rows = await tx.execute<{ id: string }>(sql`
    insert into outbox_emails (organisation_id, to_address, subject, text_body, html_body)
    values (${email.organisationId}, ${email.to}, ${email.subject}, ${email.text}, ${email.html ?? null})
    returning id`);
  const id = rows[0]!.id;
  await tx.execute(addJobSql('send_email', { id }, { jobKey: `send_email:${id}`, maxAttempts: 12 }));
  return id;
}
