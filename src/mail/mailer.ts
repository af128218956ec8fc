/** Something that delivers one email. The Resend client on Node; tests use it through msw. */
export interface Mailer {
  /** Resolves to the provider's message id; throws when the provider refused or could not be reached. */
  send(message: { from: string; to: string; subject: string; text: string; html?: string | null; idempotencyKey: string }): Promise<string>;
}
