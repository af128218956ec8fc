import type { OutgoingEmail } from './outbox.js';

/**
 * The welcome email a new account receives when its organisation sends them. It never carries a
 * password: the administrator hands that over, and the account may have to change it anyway.
 */
export function welcomeEmail(input: {
  organisationId: string;
  organisationName: string;
  to: string;
  firstName: string;
  appUrl: string;
}): OutgoingEmail {
  const signIn = `${input.appUrl}/sign-in`;
  const text = [
    `Hello ${input.firstName},`,
    '',
    `${input.organisationName} has created a Rosterbridge account for you.`,
    `Sign in at ${signIn} with this email address (${input.to}).`,
    'Your administrator will give you your password. If you are asked to choose a new one when you first sign in, choose one only you know.',
    '',
    'If you were not expecting this email, you can ignore it.',
  ].join('\n');
  return { organisationId: input.organisationId, to: input.to, subject: `Your ${input.organisationName} account on Rosterbridge`, text };
}
