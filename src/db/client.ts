import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.js';

export type Sql = postgres.Sql;
export type Db = ReturnType<typeof makeDrizzle>;
/** The handle inside `db.transaction(...)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/**
 * What a function that runs statements takes when it does not care whether it is in a
 * transaction: the pool's handle or a transaction's (the one database handle type of the features).
 */
export type DbHandle = Pick<Tx, 'execute' | 'insert' | 'select' | 'update' | 'delete' | 'transaction'>;

function makeDrizzle(client: postgres.Sql) {
  return drizzle(client, { schema, casing: 'snake_case' });
}

export interface Database {
  /** Typed queries. */
  db: Db;
  /** The raw driver, for set-based SQL, COPY and LISTEN. */
  sql: Sql;
  close(): Promise<void>;
}

/**
 * One connection pool per process (Node) or per request (Cloudflare Worker via Hyperdrive).
 * No module-level singleton: whoever starts the runtime creates it and hands it down.
 */
export function createDatabase(url: string, options: { max?: number } = {}): Database {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // numeric and bigint stay strings unless a query casts them; counts are cast to int in SQL.
    // JIT compiles a plan for 100-250 ms once its estimated cost is high, which set-based
    // statements over 100k rows reach; for our statements it never pays that back.
    // No parallel workers: starting them costs 50-70 ms before the first row, and the planner
    // reaches for them as the whole table grows (other schools' rows), not the organisation's
    // share of it. A View Accounts page then waited 90 ms for what one backend reads in 10 ms,
    // and the workers took the cores that other requests and the jobs' share count on.
    connection: { application_name: 'rosterbridge', jit: 'off', max_parallel_workers_per_gather: '0' },
  });
  return {
    db: makeDrizzle(client),
    sql: client,
    close: () => client.end({ timeout: 5 }),
  };
}
