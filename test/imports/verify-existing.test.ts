import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { checkImportBatch, createImportBatch, runImport, startImport, stageImportRows } from '../../src/imports/engine.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createAccount, createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;

/** The page's words without tags or repeated spaces. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const CSV_STATE = {
  fileName: 'school.csv',
  encoding: 'utf-8',
  delimiter: ',',
  headers: ['First Name', 'Last Name', 'Email', 'Group', 'Tag'],
  rowCount: 1,
  samples: [],
  mapping: ['firstName', 'lastName', 'email', 'group', 'tag'],
  staged: true,
  checked: true,
};

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Verify', groups: ['Roosevelt Middle', 'Lincoln High'], tags: ['Grade 9', 'IEP'] });
  ctx = { ...db.services, actor: (await loadActor(db.services, org.systemAdmin.id))! };
});

async function importFor(email: string, updateExisting: { group?: boolean; tags?: boolean }) {
  await createAccount(db.services, org.organisationId, {
    email,
    firstName: 'Aisha',
    lastName: 'Adams',
    groupId: org.groups['Roosevelt Middle']!,
    tagIds: [org.tags['Grade 9']!],
  });
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    sourceState: CSV_STATE,
    options: { sharedPassword: 'shared-secret-1', updateExisting },
  });
  await stageImportRows(ctx, id, [
    { rowNumber: 2, firstName: 'Aisha', lastName: 'Adams', email, groupName: 'Lincoln High', tagNames: ['IEP'] },
  ]);
  await checkImportBatch(ctx, id);
  const client = new TestClient(createTestApp(db));
  await client.signIn(org.systemAdmin.email);
  return { id, client };
}

describe('verification rows for an account that already exists', () => {
  it("show the account's own group and tags, and the changes the chosen options make", async () => {
    const { id, client } = await importFor('aisha@verify.test', { group: true, tags: true });
    const page = text((await client.get(`/imports/${id}/verify?page=1`)).html);
    expect(page).toContain('Roosevelt Middle → changes to Lincoln High');
    expect(page).toMatch(/Grade 9 \+ will be added: IEP/);
    await startImport(ctx, id);
    expect(await runImport(db.services, id)).toBe('finished');
    const result = text((await client.get(`/imports/${id}`)).html);
    // After the import: the account's values as they now are, and the reason in agreement.
    expect(result).toMatch(/Lincoln High Grade 9 IEP/);
    expect(result).toContain('its group and tags were updated.');
  });

  it('without an update option, show the account\'s group, not the file\'s, and say "its tags were updated" for tags alone', async () => {
    const { id, client } = await importFor('amal@verify.test', { tags: true });
    const page = text((await client.get(`/imports/${id}/verify?page=1`)).html);
    expect(page).toContain('Roosevelt Middle');
    expect(page).not.toContain('Lincoln High');
    await startImport(ctx, id);
    expect(await runImport(db.services, id)).toBe('finished');
    const result = text((await client.get(`/imports/${id}`)).html);
    expect(result).toContain('its tags were updated.');
    expect(result).not.toContain('its tags was updated');
    expect(result).not.toContain('Lincoln High');
  });
});
