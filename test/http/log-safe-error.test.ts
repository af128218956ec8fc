import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logError, safeError } from '../../src/log-safe-error.js';
import { createLogger } from '../../src/observability/logger.js';
import { createTestApp, TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation } from '../helpers/fixtures.js';

const db = useTestDatabase();
const SECRET = 'hunter2-$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0c2FsdA$secret-hash@pupil.example';

/** Everything written to stdout and stderr (directly or through console) while `work` runs. */
async function captured(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  const consoleError = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void keep(`${args.map(String).join(' ')}\n`));
  try {
    await work();
  } finally {
    out.mockRestore();
    err.mockRestore();
    consoleError.mockRestore();
  }
  return chunks.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('errors are logged without the values they failed on', () => {
  it('a failed query with a secret parameter, through the logging path', async () => {
    let failure: unknown;
    const output = await captured(async () => {
      try {
        await db.services.db.execute(sql`select ${SECRET}::uuid`);
      } catch (error) {
        failure = error;
        logError('a query failed:', error);
      }
    });
    expect(failure).toBeDefined();
    expect(String((failure as Error).message)).toContain(SECRET);
    expect(output).toContain('a query failed:');
    expect(output).toContain('22P02');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('hunter2');
    expect(JSON.stringify(safeError(failure))).not.toContain('hunter2');
  });

  it('a route that fails with a secret in its query: a 500 whose log holds no secret', async () => {
    const org = await createOrganisation(db.services, { name: 'Leaky' });
    // The app logs through its services' logger: here it writes its JSON lines to stderr, which is captured.
    const silent = db.services.logger;
    db.services.logger = createLogger({ level: 'info', write: (line) => process.stderr.write(`${line}\n`) });
    const app = createTestApp(db);
    const client = new TestClient(app);
    await client.signIn(org.systemAdmin.email);
    // Make the account insert fail inside the database, after the password was hashed.
    await db.services.sql`alter table accounts add constraint leak_probe check (first_name <> 'Probe') not valid`;
    try {
      await client.get('/accounts/new');
      let status = 0;
      const output = await captured(async () => {
        const res = await client.post('/accounts/new', {
          firstName: 'Probe',
          lastName: 'Person',
          email: 'probe.person@pupil.example',
          kind: 'user',
          groupId: org.groups.North!,
          password: 'hunter2-very-secret',
          confirmPassword: 'hunter2-very-secret',
        });
        status = res.status;
      });
      expect(status).toBe(500);
      expect(output).toContain('"msg":"request failed"');
      expect(output).toContain('"method":"POST"');
      for (const secret of ['hunter2', 'probe.person@pupil.example', '$argon2']) expect(output).not.toContain(secret);
    } finally {
      await db.services.sql`alter table accounts drop constraint leak_probe`;
      db.services.logger = silent;
    }
  });
});
