import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeArgon2 } from '../../src/auth/argon2-native.js';
import { wasmArgon2InNode } from '../helpers/argon2-wasm-node.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, TEST_PASSWORD, type OrgFixture } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';
import { startWranglerDev, type WranglerDev } from '../helpers/workerd.js';

/**
 * The web tier in the real Workers runtime: `wrangler dev --local` runs src/cloudflare.ts in
 * workerd, with Hyperdrive's local connection string pointed at this file's database. Pages are
 * fetched over HTTP as a browser would; the Node job runner finishes the import the Worker queued.
 */
const db = useTestDatabase();
let org: OrgFixture;
let dev: WranglerDev;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Edge' });
  dev = await startWranglerDev(db.url);
}, 240_000);

afterAll(async () => {
  await dev?.stop();
}, 60_000);

/** Cookies and the CSRF token across requests to the Worker. */
class EdgeBrowser {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly origin: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method === 'POST') headers.set('origin', this.origin);
    const res = await fetch(`${this.origin}${path}`, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/max-age=0/i.test(line) || value.join('=') === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    return res;
  }

  async get(path: string): Promise<{ res: Response; html: string }> {
    const res = await this.request(path);
    const html = await res.text();
    const token = html.match(/name="_csrf" value="([^"]+)"/);
    if (token) this.csrf = token[1]!;
    return { res, html };
  }

  async post(path: string, form: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf });
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    return this.request(path, { method: 'POST', body });
  }
}

describe('the web tier under workerd (wrangler dev --local)', () => {
  it('signs in, opens View Accounts, and starts a CSV import that the Node job runner finishes', async () => {
    const browser = new EdgeBrowser(dev.origin);
    await browser.get('/sign-in');
    const wrong = await browser.post('/sign-in', { email: org.systemAdmin.email, password: 'not the password' });
    expect(wrong.status).toBe(400);
    const signedIn = await browser.post('/sign-in', { email: org.systemAdmin.email, password: TEST_PASSWORD });
    expect(signedIn.status, dev.output()).toBe(303);

    const accounts = await browser.get('/accounts');
    expect(accounts.res.status).toBe(200);
    expect(accounts.html).toContain('admin@edge.test');

    await browser.get('/imports/csv/upload');
    const form = new FormData();
    form.set('_csrf', browser.csrf);
    form.set('accountKind', 'user');
    form.set(
      'file',
      new File(['First Name,Last Name,Email\r\nAva,Garcia,ava@edge.test\r\nBo,Chen,bo@edge.test\r\n'], 'edge.csv', { type: 'text/csv' }),
    );
    const uploaded = await browser.request('/imports/csv/upload', { method: 'POST', body: form });
    expect(uploaded.status, dev.output()).toBe(303);
    const id = uploaded.headers.get('location')!.match(/^\/imports\/([0-9a-f-]{36})\/columns$/)![1]!;
    await browser.get(`/imports/${id}/columns`);
    expect((await browser.post(`/imports/${id}/columns`, { column: ['firstName', 'lastName', 'email'] })).status).toBe(303);
    await browser.get(`/imports/${id}/settings`);
    const settings = await browser.post(`/imports/${id}/settings`, {
      password: 'edge-secret-1',
      confirmPassword: 'edge-secret-1',
      groupId: org.groups.North!,
    });
    expect(settings.status).toBe(303);
    await browser.get(`/imports/${id}/check`);
    expect((await browser.post(`/imports/${id}/check`, {})).status).toBe(303);
    await browser.get(`/imports/${id}/verify?page=1`);
    const started = await browser.post(`/imports/${id}/start`, {});
    expect(started.headers.get('location')).toBe(`/imports/${id}`);

    await runDueJobs(db);
    const created = await db.services.sql<{ email: string }[]>`
      select email from accounts where organisation_id = ${org.organisationId} and email like '%@edge.test' and not is_system_admin order by email`;
    expect(created.map((r) => r.email)).toEqual(['ava@edge.test', 'bo@edge.test']);
    const result = await browser.get(`/imports/${id}`);
    expect(result.html).toContain('The import has finished');

    // The imported password was hashed by the Node runner; the Worker verifies it.
    const learner = new EdgeBrowser(dev.origin);
    await learner.get('/sign-in');
    expect((await learner.post('/sign-in', { email: 'ava@edge.test', password: 'edge-secret-1' })).status).toBe(303);
  }, 240_000);

  it('serves every page of the navigation to a system administrator', async () => {
    const browser = new EdgeBrowser(dev.origin);
    await browser.get('/sign-in');
    await browser.post('/sign-in', { email: org.systemAdmin.email, password: TEST_PASSWORD });
    const home = await browser.get('/accounts');
    const links = [
      ...new Set(
        [...home.html.matchAll(/<nav[\s\S]*?<\/nav>/g)].flatMap((nav) => [...nav[0].matchAll(/href="(\/[^"#?]*)"/g)].map((m) => m[1]!)),
      ),
    ];
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) {
      const page = await browser.get(link);
      expect(page.res.status, `${link}\n${dev.output()}`).toBeLessThan(400);
    }
  }, 240_000);
});

describe('argon2id in WebAssembly (the Workers hasher)', () => {
  it('verifies the native hasher’s hashes and the other way round', async () => {
    const wasm = await wasmArgon2InNode();
    const fromWasm = await wasm.hash('same password here');
    expect(fromWasm).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await nativeArgon2.verify(fromWasm, 'same password here')).toBe(true);
    const fromNative = await nativeArgon2.hash('same password here');
    expect(await wasm.verify(fromNative, 'same password here')).toBe(true);
    expect(await wasm.verify(fromNative, 'wrong password')).toBe(false);
    expect(await wasm.verify(fromNative, 'short')).toBe(false);
    expect(await wasm.verify(null, 'same password here')).toBe(false);
  });

  it('fails loudly on a hash it cannot check instead of answering “wrong password”', async () => {
    const wasm = await wasmArgon2InNode();
    await expect(wasm.verify('$2b$10$notargon', 'same password here')).rejects.toThrow(/could not be checked/);
    await expect(nativeArgon2.verify('$argon2id$broken', 'same password here')).rejects.toThrow(/could not be checked/);
  });
});
