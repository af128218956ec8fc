import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation } from '../helpers/fixtures.js';

const db = useTestDatabase();

// accounts.organisation_id and accounts.group_id are kept by statement-level triggers
// (sql/0012), not per-row foreign keys; these are the rules the foreign keys kept, and one more.
describe('accounts: references the database keeps', () => {
  it('refuses an account of an unknown organisation, or with an unknown group or a group of another organisation', async () => {
    const org = await createOrganisation(db.services);
    const rival = await createOrganisation(db.services);
    const insert = (organisationId: string, groupId: string | null, email: string) => db.services.sql`
      insert into accounts (organisation_id, first_name, last_name, email, group_id)
      values (${organisationId}, 'Ada', 'Lovelace', ${email}, ${groupId})`;
    await expect(insert('00000000-0000-4000-8000-000000000000', null, 'a@x.test')).rejects.toThrow(
      'an account must belong to an existing organisation',
    );
    await expect(insert(org.organisationId, '00000000-0000-4000-8000-000000000000', 'b@x.test')).rejects.toThrow(
      "an account's group must be an existing group of its organisation",
    );
    await expect(insert(org.organisationId, rival.groups.North!, 'c@x.test')).rejects.toThrow(
      "an account's group must be an existing group of its organisation",
    );
    // One bad row among many fails the whole statement.
    await expect(db.services.sql`
      insert into accounts (organisation_id, first_name, last_name, email, group_id)
      select ${org.organisationId}, 'Row', i::text, 'row' || i || '@x.test', case when i = 500 then ${rival.groups.South!}::uuid else ${org.groups.North!}::uuid end
      from generate_series(1, 1000) i`).rejects.toThrow("an account's group must be an existing group of its organisation");
    expect(await db.services.sql`select 1 from accounts where email like '%@x.test'`).toHaveLength(0);

    const ok = await createAccount(db.services, org.organisationId, { email: 'ok@x.test', groupId: org.groups.North! });
    await expect(db.services.sql`update accounts set group_id = ${rival.groups.North!} where id = ${ok.id}`).rejects.toThrow(
      "an account's group must be an existing group of its organisation",
    );
    await expect(db.services.sql`update accounts set organisation_id = ${rival.organisationId} where id = ${ok.id}`).rejects.toThrow(
      "an account's group must be an existing group of its organisation",
    );
    await db.services.sql`update accounts set group_id = ${org.groups.South!}, last_sign_in_at = now() where id = ${ok.id}`;
    const [moved] = await db.services.sql<{ group_id: string }[]>`select group_id from accounts where id = ${ok.id}`;
    expect(moved!.group_id).toBe(org.groups.South);
  });

  it('leaves a deleted group’s accounts without a group, deletes an organisation’s accounts with it, and keeps ids', async () => {
    const org = await createOrganisation(db.services);
    const a = await createAccount(db.services, org.organisationId, { email: 'north@y.test', groupId: org.groups.North! });
    const b = await createAccount(db.services, org.organisationId, { email: 'south@y.test', groupId: org.groups.South! });
    await db.services.sql`delete from groups where id = ${org.groups.North!}`;
    const rows = await db.services.sql<
      { id: string; group_id: string | null }[]
    >`select id, group_id from accounts where id in (${a.id}, ${b.id}) order by email`;
    expect(rows).toEqual([
      { id: a.id, group_id: null },
      { id: b.id, group_id: org.groups.South },
    ]);
    await expect(db.services.sql`update groups set id = gen_random_uuid() where id = ${org.groups.South!}`).rejects.toThrow(
      'cannot change',
    );
    await expect(db.services.sql`update organisations set id = gen_random_uuid() where id = ${org.organisationId}`).rejects.toThrow(
      'cannot change',
    );

    const other = await createOrganisation(db.services);
    await createAccount(db.services, other.organisationId, { email: 'stays@z.test', groupId: other.groups.North! });
    await db.services.sql`delete from organisations where id = ${org.organisationId}`;
    expect(await db.services.sql`select 1 from accounts where organisation_id = ${org.organisationId}`).toHaveLength(0);
    expect(await db.services.sql`select 1 from accounts where organisation_id = ${other.organisationId}`).toHaveLength(2);
  });

  it('makes a group delete wait for a transaction that just put accounts in that group, as a foreign key would', async () => {
    const org = await createOrganisation(db.services);
    const reserved = await db.services.sql.reserve();
    try {
      await reserved`begin`;
      await reserved`insert into accounts (organisation_id, first_name, last_name, email, group_id) values (${org.organisationId}, 'Wait', 'Ing', 'wait@w.test', ${org.groups.North!})`;
      let deleted = false;
      const deleting = db.services.sql`delete from groups where id = ${org.groups.North!}`.then(() => (deleted = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(deleted).toBe(false);
      await reserved`commit`;
      await deleting;
    } finally {
      reserved.release();
    }
    const [row] = await db.services.sql<{ group_id: string | null }[]>`select group_id from accounts where email = 'wait@w.test'`;
    expect(row!.group_id).toBeNull();
  });
});
