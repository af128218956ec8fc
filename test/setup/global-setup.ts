import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { migrateDatabase, migrationsFolder } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL of the server's maintenance database, for CREATE/DROP DATABASE. */
    adminDatabaseUrl: string;
    /** Name of the migrated template every test file clones. */
    templateDatabase: string;
  }
}

let embedded: EmbeddedServer | null = null;

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(migrationsFolder, { recursive: true })).filter((f) => f.endsWith('.sql') || f.endsWith('.json')).sort();
  for (const file of files) hash.update(file).update(await readFile(path.join(migrationsFolder, file)));
  return hash.digest('hex').slice(0, 16);
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Real PostgreSQL for the tests: DATABASE_URL's server if set, else an embedded one. A template
 * database is migrated once per migration set; each test file clones it (test/helpers/database.ts).
 */
export default async function setup(project: TestProject) {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
  } else {
    embedded = await startEmbeddedPostgres(path.resolve('.data/test-postgres'));
    adminUrl = embedded.urlFor('postgres');
  }
  const template = `rb_template_${await migrationsHash()}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`select pg_advisory_lock(7012002)`;
    const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
    if (!exists) {
      const building = `${template}_building_${process.pid}`;
      await admin.unsafe(`drop database if exists "${building}"`);
      await admin.unsafe(`create database "${building}"`);
      await migrateDatabase(withDatabase(adminUrl, building));
      await admin.unsafe(`alter database "${building}" rename to "${template}"`);
      await admin.unsafe(`alter database "${template}" with is_template true`);
    }
    // Databases left behind by killed runs.
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like 'rb_test_%' and datname < ${`rb_test_${(Date.now() - 3_600_000).toString(36)}`}`;
    for (const { datname } of stale) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin`select pg_advisory_unlock(7012002)`;
  } finally {
    await admin.end();
  }
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);
  return async () => {
    if (embedded) await embedded.stop();
  };
}
