import type { Hono } from 'hono';
import type * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, createSession } from '../../src/auth/sessions.js';
import { declaredInput } from '../../src/http/input/validate.js';
import type { AppEnv } from '../../src/http/types.js';
import { createTestApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

/**
 * A generated table over every route the app registers: each query, form and path value a route
 * declares (read from its validator middleware) gets a NUL byte, an over-long value, a
 * non-number and a huge number, signed in as a system administrator with a valid CSRF token.
 * Every answer must be 400 or the page the route would show anyway (200, a redirect, 404 for an
 * id that names nothing), never a 500.
 */

const db = useTestDatabase();
let org: OrgFixture;
let app: Hono<AppEnv>;

const ODD_VALUES: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['control characters', '\u0001\u001b[31m\u007f'],
  ['over-long', 'x'.repeat(20_000)],
  ['non-numeric', 'abc'],
  ['huge number', '99999999999999999999'],
  ['negative', '-1'],
];

interface RouteInput {
  method: string;
  path: string;
  query: string[];
  form: string[];
  params: string[];
}

function keysOf(schema: v.GenericSchema): string[] {
  const s = schema as { entries?: Record<string, unknown>; pipe?: v.GenericSchema[]; type?: string };
  if (s.entries) return Object.keys(s.entries);
  if (s.pipe?.[0]) return keysOf(s.pipe[0]);
  // A record (the sandbox's token endpoint) takes any name.
  return s.type === 'record' ? ['grant_type', 'code'] : [];
}

/** The app's routes with the fields each one declares, from Hono's own route table. */
function routeTable(): RouteInput[] {
  const byKey = new Map<string, RouteInput>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    const entry = byKey.get(key) ?? {
      method: r.method,
      path: r.path,
      query: [],
      form: [],
      params: [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!),
    };
    const input = declaredInput(r.handler);
    if (input?.target === 'query') entry.query.push(...keysOf(input.schema));
    if (input?.target === 'form') entry.form.push(...keysOf(input.schema));
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

async function signedIn(): Promise<{ cookie: string; csrf: string }> {
  const { token, session } = await createSession(db.services, org.systemAdmin.id);
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: session.csrfToken };
}

async function send(route: RouteInput, value: string, pathValue: string): Promise<Response> {
  const { cookie, csrf } = await signedIn();
  const path = route.path.replace(/:(\w+)/g, () => encodeURIComponent(pathValue));
  const query = new URLSearchParams(route.query.map((k) => [k, value]));
  const url = `${path}${query.size ? `?${query}` : ''}`;
  if (route.method === 'GET') return app.request(url, { headers: { cookie } });
  const body = new URLSearchParams([['_csrf', csrf], ...route.form.map((k): [string, string] => [k, value])]);
  return app.request(url, { method: route.method, body, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
}

// 410: a one-time sign-in link that is unknown, used or expired is gone, which is the right answer.
const ACCEPTED = [200, 302, 303, 400, 401, 403, 404, 409, 410, 413, 429];

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Oddity' });
  app = createTestApp(db);
});

describe('odd input on every route', () => {
  it('the table covers the app: every route with a parameter declares it through the input layer', () => {
    const table = routeTable();
    expect(table.length).toBeGreaterThan(50);
    for (const route of table) {
      // Path parameters are read only through a param validator.
      if (route.params.length) {
        const declaresParam = app.routes.some(
          (r) => r.method === route.method && r.path === route.path && declaredInput(r.handler)?.target === 'param',
        );
        expect(declaresParam, `${route.method} ${route.path} reads its path through the input layer`).toBe(true);
      }
    }
  });

  it.each(ODD_VALUES)(
    '%s in every query, form and path value never gives a 500',
    async (_name, value) => {
      const failures: string[] = [];
      for (const route of routeTable()) {
        if (!route.query.length && !route.form.length && !route.params.length) continue;
        for (const pathValue of [value, crypto.randomUUID()]) {
          const res = await send(route, value, pathValue);
          if (!ACCEPTED.includes(res.status))
            failures.push(`${route.method} ${route.path} (path ${pathValue.slice(0, 12)}): ${res.status}`);
          await res.body?.cancel();
        }
      }
      expect(failures).toEqual([]);
    },
    600_000,
  );

  it('a NUL byte in a text field is a 400 that names the field', async () => {
    const { cookie, csrf } = await signedIn();
    const body = new URLSearchParams({ _csrf: csrf, firstName: 'A\u0000', lastName: 'B', email: 'a@b.example', kind: 'user' });
    const res = await app.request('/accounts/new', {
      method: 'POST',
      body,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('First Name contains a control character');
  });
});
