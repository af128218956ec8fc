import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from '../../src/safe-redirect.js';

const APP = 'https://roster.example.org';
const FALLBACK = '/home';

/** How a browser would resolve the Location header we send, from a page of ours. */
function browserLands(location: string): string {
  // Browsers strip tab, CR and LF anywhere in a URL and read backslashes as slashes (WHATWG URL).
  return new URL(location.replace(/[\t\r\n]/g, ''), `${APP}/somewhere/page`).origin;
}

const hostile: [string, string][] = [
  ['tab after the slash', '/\t/evil.example/x'],
  ['percent-encoded tab, as a query value decodes', decodeURIComponent('/%09/localhost:9/x')],
  ['CR', '/\r/evil.example'],
  ['LF', '/\n/evil.example'],
  ['LF decoded from %0A', decodeURIComponent('/%0A/x')],
  ['CRLF header injection', '/x\r\nSet-Cookie: a=b'],
  ['backslash', '\\evil.example'],
  ['slash backslash', '/\\evil.example/x'],
  ['backslash slash', '\\/evil.example'],
  ['%5C decoded once', decodeURIComponent('/%5Chost/x')],
  ['double slash', '//evil.example/x'],
  ['triple slash', '///evil.example/x'],
  ['https: without slashes', 'https:evil.example'],
  ['https: absolute', 'https://evil.example/x'],
  ['http: absolute', 'http://evil.example'],
  ['scheme-relative with userinfo', '//roster.example.org@evil.example'],
  ['our host as userinfo', 'https://roster.example.org@evil.example/'],
  ['javascript:', 'javascript:alert(1)'],
  ['JavaScript: mixed case with spaces', ' JavaScript:alert(1)'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['vbscript:', 'vbscript:msgbox(1)'],
  ['dot segment to //', '/.//evil.example'],
  ['dot-dot segment to //', '/a/..//evil.example'],
  ['NUL', '/\u0000//evil.example'],
  ['leading space before //', ' //evil.example'],
  ['other port on our host', 'https://roster.example.org:8443/x'],
  ['plain http on our host', 'http://roster.example.org/x'],
  ['ftp', 'ftp://evil.example/'],
  ['unicode slash lookalike', '/\uFF0F/evil.example'],
];

const encodedStaySafe: [string, string][] = [
  // Encoded forms that reach us still encoded (a doubly encoded value decoded once) are paths on our origin.
  ['%5C kept encoded', '/%5Cevil.example/x'],
  ['%2F%2F kept encoded', '/%2F%2Fevil.example'],
  ['%09 kept encoded', '/%09/evil.example'],
  ['doubly encoded backslash, decoded once', decodeURIComponent('/%255Cevil.example')],
  ['doubly encoded tab, decoded once', decodeURIComponent('/%2509/evil.example')],
];

describe('safeRedirectPath', () => {
  it.each(hostile)('refuses %s', (_name, raw) => {
    const path = safeRedirectPath(raw, APP, FALLBACK);
    expect(browserLands(path)).toBe(APP);
    expect(path === FALLBACK || path.startsWith('/')).toBe(true);
    expect(path.startsWith('//')).toBe(false);
  });

  it.each(encodedStaySafe)('keeps %s on our origin', (_name, raw) => {
    const path = safeRedirectPath(raw, APP, FALLBACK);
    expect(path.startsWith('/') && !path.startsWith('//')).toBe(true);
    expect(browserLands(path)).toBe(APP);
  });

  it('there are at least 25 hostile values in the table', () => {
    expect(hostile.length + encodedStaySafe.length).toBeGreaterThanOrEqual(25);
  });

  it.each([
    ['/accounts?page=2', '/accounts?page=2'],
    ['/assign/0b6f6a3c-1d2e-4f5a-8b9c-0d1e2f3a4b5c', '/assign/0b6f6a3c-1d2e-4f5a-8b9c-0d1e2f3a4b5c'],
    ['/classroom/import#top', '/classroom/import#top'],
    ['https://roster.example.org/accounts', '/accounts'],
    ['/a/../accounts', '/accounts'],
  ])('follows our own path %s', (raw, expected) => {
    expect(safeRedirectPath(raw, APP, FALLBACK)).toBe(expected);
  });

  it('falls back when there is nothing to follow', () => {
    expect(safeRedirectPath('', APP, FALLBACK)).toBe(FALLBACK);
    expect(safeRedirectPath(undefined, APP, FALLBACK)).toBe(FALLBACK);
    expect(safeRedirectPath(`/${'a'.repeat(3000)}`, APP, FALLBACK)).toBe(FALLBACK);
  });
});
