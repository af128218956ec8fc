import '../../src/thread-pool.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import postgres from 'postgres';
import { nativeArgon2 } from '../../src/auth/argon2-native.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Services } from '../../src/context.js';
import { createDatabase } from '../../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import type { BenchContext, BenchModule } from './bench-context.js';

/**
 * `npm run bench`: each module measures one capability against real PostgreSQL and prints one
 * JSON line per figure set: {"bench": NAME, ...figures}. Modules run one after another, each in
 * a fresh database and, when several run, a process of its own (memory figures are a process's,
 * and one module's heap would sit under the next one's), so none disturbs another's numbers.
 * `npm run bench -- NAME` runs one.
 */
const modules: Record<string, () => Promise<BenchModule>> = {
  accounts_search_100k: async () => (await import('./accounts-search.js')).accountsSearchBench,
  accounts_search_2m: async () => (await import('./accounts-search.js')).accountsSearch2mBench,
  accounts_under_load: async () => (await import('./accounts-under-load.js')).accountsUnderLoadBench,
  classroom_sync_200x35: async () => (await import('./classroom-sync.js')).classroomSyncBench,
  mass_assign_100k: async () => (await import('./mass-assign.js')).massAssignBench,
  csv_import_100k: async () => (await import('./csv-import.js')).csvImport100kBench,
  csv_import_passwords_2k: async () => (await import('./csv-import.js')).csvImportPasswords2kBench,
  bulk_tag_100k: async () => (await import('./directory.js')).bulkTagBench,
  account_page: async () => (await import('./directory.js')).accountPageBench,
};

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let embedded: EmbeddedServer | null = null;
let adminUrl: string;
if (process.env.DATABASE_URL) {
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = '/postgres';
  adminUrl = u.toString();
} else {
  embedded = await startEmbeddedPostgres(path.resolve('.data/bench-postgres'));
  adminUrl = embedded.urlFor('postgres');
}

const selected = Object.entries(modules).filter(([name]) => !only.length || only.includes(name));

/** Runs one module in a child process of its own, against the same server; its lines go to our stdout. */
function runInChild(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, name], {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: adminUrl },
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench ${name} exited with ${code}`))));
  });
}

async function runHere(name: string, load: () => Promise<BenchModule>): Promise<void> {
  const dbName = `rb_bench_${name}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  await migrateDatabase(url);
  const database = createDatabase(url, { max: 10 });
  const services: Services = {
    db: database.db,
    sql: database.sql,
    passwords: nativeArgon2,
    appUrl: 'http://localhost:3000',
    logger: createLogger({ level: 'silent' }),
  };
  const ctx: BenchContext = { url, services, print: (line) => console.log(JSON.stringify(line)) };
  try {
    const mod = await load();
    await mod.run(ctx);
  } finally {
    await database.close();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

try {
  if (selected.length === 1) await runHere(selected[0]![0], selected[0]![1]);
  else for (const [name] of selected) await runInChild(name);
} finally {
  if (embedded) await embedded.stop();
}
