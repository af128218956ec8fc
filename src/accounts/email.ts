/** Emails are stored as typed (trimmed) and compared ignoring case. */
export function normaliseEmail(raw: string): string {
  return raw.trim();
}

// Pragmatic check: one @, a dot in the domain, no spaces or angle brackets. The provider is the final judge.
const EMAIL_PATTERN = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]{2,}$/;

export const EMAIL_MAX_LENGTH = 254;

export function emailProblem(email: string): string | null {
  if (!email) return 'Enter an email address.';
  if (email.length > EMAIL_MAX_LENGTH) return `An email address can be at most ${EMAIL_MAX_LENGTH} characters.`;
  if (!EMAIL_PATTERN.test(email)) return 'Enter an email address in the form name@example.org.';
  return null;
}
