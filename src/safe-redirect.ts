/**
 * The one check for every `next`, `returnTo` and return path we redirect to: the value is read as
 * a URL against our own origin (APP_URL), and only a same-origin result is followed, as a path.
 *
 * Browsers drop tab, CR and LF inside a URL and read a backslash as a slash, so `/\t/evil`,
 * `/\evil` or `/%5Cevil` once decoded would leave our origin in a browser even though `URL` on the
 * server might say otherwise: such values are refused before parsing. A path that would start with
 * `//` once normalised (`/.//evil`) is a protocol-relative link to another host, so it is refused too.
 */
export function safeRedirectPath(raw: string | null | undefined, appUrl: string, fallback: string): string {
  if (!raw || raw.length > 2000) return fallback;
  if (/[\u0000-\u0020\u007F\\]/.test(raw)) return fallback;
  let base: URL;
  let target: URL;
  try {
    base = new URL(appUrl);
    target = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (target.origin !== base.origin || (target.protocol !== 'http:' && target.protocol !== 'https:')) return fallback;
  const path = `${target.pathname}${target.search}${target.hash}`;
  if (!path.startsWith('/') || path.startsWith('//')) return fallback;
  return path;
}
