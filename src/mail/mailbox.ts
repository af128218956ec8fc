import { sql } from 'drizzle-orm';
import { arrayLiteral } from '../db/array-literal.js';
import type { Ctx } from '../context.js';
import { NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';

export type MailboxMessage = {
  id: string;
  to: string;
  subject: string;
  text: string;
  status: 'pending' | 'sent' | 'held' | 'failed';
  createdAt: Date;
};

const MAILBOX_PAGE = 100;

/**
 * The development mailbox: what the outbox holds for the actor's organisation, newest first.
 * A group administrator sees only messages sent to them or to accounts in their groups.
 */
export async function listMailbox(ctx: Ctx): Promise<MailboxMessage[]> {
  return ctx.db.execute<MailboxMessage>(sql`
    select m.id, m.to_address as "to", m.subject, m.text_body as text, m.status, m.created_at as "createdAt"
    from outbox_emails m
    where ${mailboxScope(ctx)}
    order by m.created_at desc, m.id desc
    limit ${MAILBOX_PAGE}`);
}

export async function getMailboxMessage(ctx: Ctx, id: string): Promise<MailboxMessage> {
  if (!isUuid(id)) throw new NotFoundError('That message does not exist.');
  const rows = await ctx.db.execute<MailboxMessage>(sql`
    select m.id, m.to_address as "to", m.subject, m.text_body as text, m.status, m.created_at as "createdAt"
    from outbox_emails m where m.id = ${id} and ${mailboxScope(ctx)}`);
  if (!rows[0]) throw new NotFoundError('That message does not exist.');
  return rows[0];
}

function mailboxScope(ctx: Ctx) {
  const { actor } = ctx;
  if (actor.isSystemAdmin) return sql`m.organisation_id = ${actor.organisationId}`;
  return sql`m.organisation_id = ${actor.organisationId} and (lower(m.to_address) = lower(${actor.email}) or exists (
    select 1 from accounts a where a.organisation_id = ${actor.organisationId} and lower(a.email) = lower(m.to_address)
      and a.group_id = any(${arrayLiteral(actor.managedGroupIds)}::uuid[])))`;
}
