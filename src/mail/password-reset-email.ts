import type { OutgoingEmail } from './outbox.js';

/** The password-reset email: the link is single use and expires after an hour. */
export function passwordResetEmail(input: {
  organisationId: string;
  organisationName: string;
  to: string;
  firstName: string;
  link: string;
}): OutgoingEmail {
  const text = [
    `Hello ${input.firstName},`,
    '',
    `An administrator of ${input.organisationName} asked Rosterbridge to let you choose a new password.`,
    `Open this link within the next hour to choose it (it works once):`,
    input.link,
    '',
    'Choosing a new password signs you out everywhere else. If you were not expecting this email, you can ignore it: your password stays as it is.',
  ].join('\n');
  return {
    organisationId: input.organisationId,
    to: input.to,
    subject: `Choose a new password for your ${input.organisationName} account`,
    text,
  };
}
