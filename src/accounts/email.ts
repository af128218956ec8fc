/**
 * The one email rule, used by Create Account, the account edit (Your Account), the CSV check and
 * the Classroom import (both stage their rows through src/imports/stage.ts).
 *
 * - local part: a dot-atom (RFC 5322): atoms of letters, digits and !#$%&'*+/=?^_`{|}~- joined by
 *   single dots, so no leading, trailing or doubled dot; at most 64 characters. Quoted local parts
 *   are refused: no school roster needs them and few mail systems take them.
 * - domain: at least two labels; each label 1 to 63 letters, digits or hyphens, not starting or
 *   ending with a hyphen; the last label (the top-level domain) not all digits. An
 *   internationalised domain (bücher.example) is accepted: it is checked in its ASCII form.
 * - at most 254 characters in all.
 */

/** Emails are stored as typed (trimmed) and compared ignoring case. */
export function normaliseEmail(raw: string): string {
  return raw.trim();
}

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_MAX_LENGTH = 64;

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The domain in its ASCII (punycode) form, or null when it cannot be one. */
function asciiDomain(domain: string): string | null {
  if (/^[\x21-\x7e]*$/.test(domain)) return domain.toLowerCase();
  // Non-ASCII: let the WHATWG URL parser apply IDNA (UTS #46), as a browser or mail client would.
  if (/[\s/\\?#@:%[\]]/.test(domain)) return null;
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
}

function validDomain(domain: string): boolean {
  const ascii = asciiDomain(domain);
  if (!ascii || ascii.length > 253) return false;
  const labels = ascii.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => LABEL.test(label))) return false;
  return !/^\d+$/.test(labels[labels.length - 1]!);
}

/** True when `email` (already trimmed) follows the rule. */
export function isValidEmail(email: string): boolean {
  if (email.length > EMAIL_MAX_LENGTH) return false;
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return local.length <= LOCAL_MAX_LENGTH && DOT_ATOM.test(local) && validDomain(domain);
}

export function emailProblem(email: string): string | null {
  if (!email) return 'Enter an email address.';
  if (email.length > EMAIL_MAX_LENGTH) return `An email address can be at most ${EMAIL_MAX_LENGTH} characters.`;
  if (!isValidEmail(email)) return 'Enter an email address in the form name@example.org.';
  return null;
}
