import { Resend } from 'resend';
import type { Mailer } from './mailer.js';

export function createResendMailer(apiKey: string): Mailer {
  const resend = new Resend(apiKey);
  return {
    async send(message) {
      const { data, error } = await resend.emails.send(
        {
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
        },
        // The outbox id: a retry after a crash between "sent" and "marked sent" does not send twice.
        { idempotencyKey: message.idempotencyKey },
      );
      if (error || !data) throw new Error(`Resend refused the message: ${error?.message ?? 'no response body'}`);
      return data.id;
    },
  };
}
