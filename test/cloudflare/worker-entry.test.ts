import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/cloudflare.js';
import { wasmArgon2 } from '../../src/auth/argon2-wasm.js';
import { nativeArgon2 } from '../../src/auth/argon2-native.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, TEST_PASSWORD } from '../helpers/fixtures.js';

const db = useTestDatabase();
const waits: Promise<unknown>[] = [];
const execution = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };

beforeAll(async () => {
  const org = await createOrganisation(db.services, { name: 'Edge' });
  await createAccount(db.services, org.organisationId, { email: 'learner@edge.test' });
});

describe('Cloudflare Worker entry', () => {
  it('serves the sign-in page and signs in through a Hyperdrive-style binding', async () => {
    const bindings = { HYPERDRIVE: { connectionString: db.url }, APP_URL: 'https://roster.example' };
    const page = await worker.fetch(new Request('https://roster.example/sign-in'), bindings, execution);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Sign in</h1>');
    const csrf = html.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const preCookie = page.headers.getSetCookie().find((c) => c.startsWith('rb_csrf='))!.split(';')[0]!;
    expect(page.headers.getSetCookie().join()).toMatch(/Secure/);
    const res = await worker.fetch(
      new Request('https://roster.example/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: preCookie, origin: 'https://roster.example' },
        body: new URLSearchParams({ _csrf: csrf, email: 'learner@edge.test', password: TEST_PASSWORD }),
      }),
      bindings,
      execution,
    );
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('rb_session=') && /Secure/.test(c))).toBe(true);
    await Promise.all(waits);
  });

  it('hashes with WebAssembly argon2id that the native binding verifies, and the other way round', async () => {
    const fromWasm = await wasmArgon2.hash('same password here');
    expect(fromWasm).toMatch(/^\$argon2id\$/);
    expect(await nativeArgon2.verify(fromWasm, 'same password here')).toBe(true);
    const fromNative = await nativeArgon2.hash('same password here');
    expect(await wasmArgon2.verify(fromNative, 'same password here')).toBe(true);
    expect(await wasmArgon2.verify(fromNative, 'wrong')).toBe(false);
  });

  it('bundles with wrangler (deploy --dry-run)', async () => {
    const outdir = await mkdtemp(path.join(tmpdir(), 'rb-wrangler-'));
    try {
      const wrangler = path.resolve('node_modules/.bin/wrangler');
      await promisify(execFile)(wrangler, ['deploy', '--dry-run', '--outdir', outdir], {
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
        timeout: 120_000,
      });
      const files = await readdir(outdir);
      expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
