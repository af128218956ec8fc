import { formatTime } from '../format.js';
import type { Child } from 'hono/jsx';

export interface MailboxRowView {
  id: string;
  to: string;
  subject: string;
  status: string;
  createdAt: Date;
}

const STATUS: Record<string, string> = {
  pending: 'Waiting to send',
  held: 'Kept here (no email provider)',
  sent: 'Sent',
  failed: 'Failed',
};

function when(d: Date): string {
  return formatTime(d);
}

export function MailboxPage(props: { messages: MailboxRowView[] }) {
  return (
    <>
      <h1>Mailbox (development)</h1>
      <p class="muted">
        No email provider is configured (RESEND_API_KEY is not set), so messages stay in the outbox and are shown here. This page does not
        exist in production.
      </p>
      {props.messages.length === 0 ? (
        <p>No messages yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="mail-list">
            <caption class="sr-only">Messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {props.messages.map((m) => (
                <tr>
                  <th scope="row">
                    <a href={`/dev/mailbox/${m.id}`}>{m.subject}</a>
                  </th>
                  <td>{m.to}</td>
                  <td>{STATUS[m.status] ?? m.status}</td>
                  <td>{when(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Links in the text become links on the page (text stays text: everything else is escaped). */
function linkify(text: string): Child[] {
  const out: Child[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    out.push(text.slice(last, match.index));
    out.push(<a href={match[0]}>{match[0]}</a>);
    last = match.index! + match[0].length;
  }
  out.push(text.slice(last));
  return out;
}

export function MailboxMessagePage(props: { message: MailboxRowView & { text: string } }) {
  const m = props.message;
  return (
    <>
      <p>
        <a href="/dev/mailbox">Back to the mailbox</a>
      </p>
      <h1>{m.subject}</h1>
      <p class="muted">
        To {m.to} · {STATUS[m.status] ?? m.status} · {when(m.createdAt)}
      </p>
      <pre class="mail">{linkify(m.text)}</pre>
    </>
  );
}
