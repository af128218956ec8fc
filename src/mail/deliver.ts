import { sql } from 'drizzle-orm';
import type { Services } from '../context.js';
import type { Mailer } from './mailer.js';

export type DeliveryOutcome = 'sent' | 'held' | 'already-done' | 'missing';

/**
 * Sends one outbox message. Without a mailer the message is held in the outbox (development
 * mailbox). A provider failure is recorded and rethrown, so the job queue retries with backoff.
 */
export async function deliverEmail(
  services: Pick<Services, 'db'>,
  mailer: Mailer | null,
  from: string,
  id: string,
): Promise<DeliveryOutcome> {
  const rows = await services.db.execute<{
    to_address: string;
    subject: string;
    text_body: string;
    html_body: string | null;
    status: string;
  }>(sql`update outbox_emails set attempts = attempts + 1 where id = ${id} returning to_address, subject, text_body, html_body, status`);
  const row = rows[0];
  if (!row) return 'missing';
  if (row.status === 'sent' || row.status === 'held') return 'already-done';
  if (!mailer) {
    await services.db.execute(sql`update outbox_emails set status = 'held' where id = ${id}`);
    return 'held';
  }
  try {
    const providerId = await mailer.send({
      from,
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      idempotencyKey: `outbox-${id}`,
    });
    await services.db.execute(sql`
      update outbox_emails set status = 'sent', sent_at = now(), provider_message_id = ${providerId}, last_error = null where id = ${id}`);
    return 'sent';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await services.db.execute(sql`update outbox_emails set last_error = ${message.slice(0, 1000)} where id = ${id}`);
    throw error;
  }
}
