import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation } from '../helpers/fixtures.js';

const db = useTestDatabase();

// import_rows.batch_id is kept by statement-level triggers (sql/0013), not a per-row foreign key.
describe('import rows: references the database keeps', () => {
  it('refuses rows of an unknown import, deletes the rows with their import, and keeps the batch of a row', async () => {
    const org = await createOrganisation(db.services);
    const [batch] = await db.services.sql<{ id: string }[]>`
      insert into import_batches (organisation_id, source) values (${org.organisationId}, 'csv') returning id`;
    await expect(db.services.sql`
      insert into import_rows (batch_id, row_number, email)
      select case when i = 700 then gen_random_uuid() else ${batch!.id}::uuid end, i, 'r' || i || '@x.test' from generate_series(1, 1000) i`).rejects.toThrow(
      'an import row must belong to an existing import',
    );
    expect(await db.services.sql`select 1 from import_rows where batch_id = ${batch!.id}`).toHaveLength(0);

    await db.services
      .sql`insert into import_rows (batch_id, row_number, email) select ${batch!.id}, i, 'r' || i || '@x.test' from generate_series(1, 1000) i`;
    const [other] = await db.services.sql<{ id: string }[]>`
      insert into import_batches (organisation_id, source) values (${org.organisationId}, 'csv') returning id`;
    await expect(
      db.services.sql`update import_rows set batch_id = ${other!.id} where batch_id = ${batch!.id} and row_number = 1`,
    ).rejects.toThrow('the batch_id of a row of import_rows cannot change');
    await expect(db.services.sql`update import_batches set id = gen_random_uuid() where id = ${batch!.id}`).rejects.toThrow(
      'cannot change',
    );

    await db.services.sql`delete from import_batches where id = ${batch!.id}`;
    expect(await db.services.sql`select 1 from import_rows where batch_id = ${batch!.id}`).toHaveLength(0);
  });
});
