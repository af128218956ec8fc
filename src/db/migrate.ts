import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import postgres from 'postgres';

const quietLogger = new Logger(() => () => {});

export const migrationsFolder = fileURLToPath(new URL('../../sql', import.meta.url));

/** Applies our migrations (sql/) and graphile-worker's own schema. Safe to run on every start. */
export async function migrateDatabase(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Two processes starting at once must not both migrate.
    await client`select pg_advisory_lock(7012001)`;
    try {
      await migrate(drizzle(client), { migrationsFolder });
      await runWorkerMigrations({ connectionString: url, logger: quietLogger });
    } finally {
      await client`select pg_advisory_unlock(7012001)`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
