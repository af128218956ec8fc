import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Zoned' });
});

async function signedIn(email: string) {
  const client = new TestClient(createTestApp(db));
  await client.signIn(email);
  return client;
}

describe("the organisation's time zone", () => {
  it('is UTC until a system administrator chooses one; every time on its pages is then shown in it', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    const before = await admin.get('/organisation');
    expect(before.html).toMatch(/<option value="UTC" selected="">UTC<\/option>/);
    // A moment in winter, so the zone's short name is fixed: 18:05 UTC is 1:05 PM in New York.
    await db.services
      .sql`insert into import_batches (organisation_id, created_by, source, created_at) values (${org.organisationId}, ${org.systemAdmin.id}, 'csv', '2026-12-01T18:05:00Z')`;
    expect((await admin.get('/imports')).html).toContain('Dec 1, 2026, 6:05 PM UTC');

    const saved = await admin.post('/organisation/time-zone', { timeZone: 'America/New_York' });
    expect(saved.status).toBe(303);
    const [row] = await db.services.sql<{ time_zone: string }[]>`select time_zone from organisations where id = ${org.organisationId}`;
    expect(row!.time_zone).toBe('America/New_York');
    expect((await admin.get('/organisation')).html).toMatch(/<option value="America\/New_York" selected="">/);
    expect((await admin.get('/imports')).html).toContain('Dec 1, 2026, 1:05 PM EST');
  });

  it('refuses a name that is not a time zone, naming the field, and changes nothing', async () => {
    const admin = await signedIn(org.systemAdmin.email);
    await admin.get('/organisation');
    const res = await admin.post('/organisation/time-zone', { timeZone: 'Mars/Olympus_Mons' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<a href="#timeZone">&quot;Mars/Olympus_Mons&quot; is not a time zone we know.');
    const [row] = await db.services.sql<{ time_zone: string }[]>`select time_zone from organisations where id = ${org.organisationId}`;
    expect(row!.time_zone).not.toBe('Mars/Olympus_Mons');
  });

  it("is a system administrator's setting only", async () => {
    await createAccount(db.services, org.organisationId, {
      email: 'teacher@zoned.test',
      kind: 'administrator',
      managedGroupIds: [org.groups.North!],
    });
    const teacher = await signedIn('teacher@zoned.test');
    await teacher.get('/accounts');
    const res = await teacher.post('/organisation/time-zone', { timeZone: 'Europe/London' });
    expect([403, 404]).toContain(res.status);
  });
});
