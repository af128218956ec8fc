import { afterAll, beforeAll, inject } from 'vitest';
import postgres from 'postgres';
import { nativeArgon2 } from '../../src/auth/argon2-native.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Services } from '../../src/context.js';
import { createDatabase, type Database } from '../../src/db/client.js';

export interface TestDatabase {
  url: string;
  database: Database;
  services: Services;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh database cloned from the migrated template, for one test file. */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const adminUrl = inject('adminDatabaseUrl');
  const template = inject('templateDatabase');
  const name = `rb_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const database = createDatabase(url, { max: 10 });
  const services: Services = {
    db: database.db,
    sql: database.sql,
    passwords: nativeArgon2,
    appUrl: 'http://rosterbridge.test',
    logger: createLogger({ level: 'silent' }),
  };
  return {
    url,
    database,
    services,
    async drop() {
      await database.close();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Registers beforeAll/afterAll for a per-file database and returns a handle filled in before the tests run. */
export function useTestDatabase(): TestDatabase {
  const handle = {} as TestDatabase;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await createTestDatabase();
    Object.assign(handle, created);
    drop = created.drop;
  });
  afterAll(async () => {
    await drop?.();
  });
  return handle;
}
