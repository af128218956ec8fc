/**
 * A worker process for the kill-and-resume test: runs one import with small chunks and a pause
 * after each, so the test can SIGKILL it in the middle. argv: databaseUrl batchId.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { nativeArgon2 } from '../../../src/auth/argon2-native.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createDatabase } from '../../../src/db/client.js';
import { runImport } from '../../../src/imports/run.js';

const [url, batchId] = process.argv.slice(2);
const database = createDatabase(url!, { max: 2 });
await runImport(
  {
    db: database.db,
    sql: database.sql,
    passwords: nativeArgon2,
    appUrl: 'http://rosterbridge.test',
    logger: createLogger({ level: 'silent' }),
  },
  batchId!,
  { chunkSize: 100, hashChunkSize: 8, afterChunk: () => sleep(40) },
);
await database.close();
