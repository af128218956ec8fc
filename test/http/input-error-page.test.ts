import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

/**
 * A form field the input layer refuses (a NUL or another control character, say) gets one answer
 * from every route: a 400 page naming each field and its problem, with a link back to the form
 * (the page that sent it, when that is ours) and nothing saved.
 */
const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Refusals' });
});

async function admin(): Promise<TestClient> {
  const client = new TestClient(createTestApp(db));
  await client.signIn(org.systemAdmin.email);
  return client;
}

function backLink(html: string): string | undefined {
  return html.match(/<a class="btn" href="([^"]*)">(?:Back to the form|Open the page again)<\/a>/)?.[1]?.replaceAll('&amp;', '&');
}

describe('the page for a refused form or query', () => {
  it('Create Account: names the field and the problem, links back to the form, saves nothing', async () => {
    const client = await admin();
    await client.get('/accounts/new');
    const res = await client.post(
      '/accounts/new',
      { firstName: 'Ann\u0000', lastName: 'Lee', email: 'ann\u0001@refusals.test', kind: 'user' },
      { headers: { referer: 'http://localhost/accounts/new' } },
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Check what you entered');
    expect(html).toContain('First Name contains a control character');
    expect(html).toContain('Email contains a control character');
    expect(backLink(html)).toBe('/accounts/new');
    const [row] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from accounts where last_name = 'Lee'`;
    expect(row!.n).toBe(0);
  });

  it('a preset name: back to the page that held the form, with its query', async () => {
    const client = await admin();
    await client.get('/assignments/presets/new');
    const res = await client.post(
      '/assignments/presets/new',
      { name: 'Term\u0007', action: 'save' },
      {
        headers: { referer: 'http://localhost/assignments/presets/new?return=%2Faccounts' },
      },
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Name contains a control character');
    expect(backLink(html)).toBe('/assignments/presets/new?return=%2Faccounts');
  });

  it('the sign-in email: the link never leaves our origin, whatever the Referer says', async () => {
    const visitor = new TestClient(createTestApp(db));
    await visitor.get('/sign-in');
    const res = await visitor.post(
      '/sign-in',
      { email: 'a\u0000@refusals.test', password: 'x' },
      { headers: { referer: 'https://evil.example/sign-in' } },
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Email contains a control character');
    expect(backLink(html)).toBe('/sign-in');
  });

  it('a refused query: the same page without it', async () => {
    const client = await admin();
    const res = await client.request('/accounts?q=a%00b');
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('The search contains a control character');
    expect(backLink(html)).toBe('/accounts');
  });
});
