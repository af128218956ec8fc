import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import { parseEnv } from '../../src/env.js';
import type { AppConfig, AppEnv } from '../../src/http/types.js';
import type { TestDatabase } from './database.js';
import { TEST_PASSWORD } from './fixtures.js';

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    env: parseEnv({ NODE_ENV: 'test' }),
    appUrl: 'http://localhost',
    devMailbox: true,
    secureCookies: false,
    htmxSource: () => '/* htmx */',
    ...overrides,
  };
}

export function createTestApp(db: TestDatabase, overrides: Partial<AppConfig> = {}): Hono<AppEnv> {
  return createApp({ config: testConfig(overrides), services: () => db.services });
}

type FormValue = string | string[] | undefined;

/**
 * A browser stand-in for app.request(): keeps cookies, picks up the CSRF token from the last
 * page it saw, and follows nothing (tests assert on redirects themselves).
 */
export class TestClient {
  cookies = new Map<string, string>();
  csrf = '';
  /** `peer`: the socket address the request seems to come from (as @hono/node-server passes it), for the sign-in throttle. */
  constructor(
    readonly app: Hono<AppEnv>,
    readonly options: { peer?: string } = {},
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
  }

  async request(path: string, init: RequestInit & { hx?: boolean } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    if (init.hx) headers.set('hx-request', 'true');
    const env = this.options.peer ? { incoming: { socket: { remoteAddress: this.options.peer } } } : undefined;
    const res = await this.app.request(path, { ...init, headers }, env);
    this.absorb(res);
    return res;
  }

  /** GET a page; remembers the CSRF token it carries. Returns the response and its text. */
  async get(path: string, init: { hx?: boolean } = {}): Promise<{ res: Response; html: string }> {
    const res = await this.request(path, { method: 'GET', ...init });
    const html = await res.text();
    const match = html.match(/name="_csrf" value="([^"]+)"/) ?? html.match(/X-CSRF-Token&quot;:&quot;([^&]+)&quot;/);
    if (match) this.csrf = match[1]!;
    return { res, html };
  }

  /** POST a urlencoded form with the current CSRF token (unless `_csrf` is given). */
  async post(
    path: string,
    form: Record<string, FormValue> = {},
    init: { hx?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    if (!('_csrf' in form)) body.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    }
    return this.request(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.headers ?? {}) },
      ...(init.hx ? { hx: true } : {}),
    });
  }

  /** Signs in through the real form and refreshes the CSRF token from the next page. */
  async signIn(email: string, password = TEST_PASSWORD): Promise<Response> {
    await this.get('/sign-in');
    const res = await this.post('/sign-in', { email, password });
    if (res.status !== 303) throw new Error(`sign-in failed for ${email}: ${res.status} ${await res.text()}`);
    await this.get('/account');
    return res;
  }
}
