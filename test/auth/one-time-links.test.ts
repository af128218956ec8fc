import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { findOneTimeLink, issueOneTimeLink, setPasswordWithLink } from '../../src/auth/one-time-links.js';
import { createSession } from '../../src/auth/sessions.js';
import { createSignInLink, findSignInLink } from '../../src/auth/sign-in-links.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

/** Issue 12: one one-time-link mechanism for the operator's sign-in links and the password-reset emails. */
const db = useTestDatabase();
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Maple Grove', groups: ['North'] });
});

const issue = (purpose: 'sign_in' | 'password_reset', seconds = 3600, replaceEarlier = false) =>
  db.services.db.transaction((tx) =>
    issueOneTimeLink(tx, { purpose, accountId: org.systemAdmin.id, organisationId: org.organisationId, seconds, replaceEarlier }),
  );

describe('one-time links', () => {
  it('stores only the hash, with the expiry asked for; a sign-in link is 72 hours', async () => {
    const token = await issue('password_reset', 3600);
    const signIn = await db.services.db.transaction((tx) =>
      createSignInLink(tx, { accountId: org.systemAdmin.id, organisationId: org.organisationId }),
    );
    const rows = await db.services.sql<{ token_hash: string; purpose: string; seconds: number }[]>`
      select token_hash, purpose, extract(epoch from expires_at - created_at)::int as seconds from one_time_links order by purpose`;
    expect(rows.map((r) => [r.purpose, r.seconds])).toEqual([
      ['password_reset', 3600],
      ['sign_in', 72 * 3600],
    ]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(signIn);
  });

  it('a link works only for its own purpose', async () => {
    const reset = await issue('password_reset');
    expect(await findSignInLink(db.services, reset)).toBeNull();
    expect(await setPasswordWithLink(db.services, { purpose: 'sign_in', token: reset, passwordHash: 'x', auditAction: 'test' })).toBeNull();
    expect(await findOneTimeLink(db.services, 'password_reset', reset)).toMatchObject({
      accountId: org.systemAdmin.id,
      email: org.systemAdmin.email,
    });
  });

  it('works once, even when used twice at the same moment; then every session of the account has ended', async () => {
    const token = await issue('password_reset');
    await createSession(db.services, org.systemAdmin.id);
    const uses = await Promise.all(
      [1, 2].map(() =>
        setPasswordWithLink(db.services, {
          purpose: 'password_reset',
          token,
          passwordHash: 'hash-1',
          auditAction: 'account.password_reset_used',
        }),
      ),
    );
    expect(uses.filter(Boolean)).toHaveLength(1);
    const [sessions] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from sessions where account_id = ${org.systemAdmin.id}`;
    expect(sessions!.n).toBe(0);
    expect(await findOneTimeLink(db.services, 'password_reset', token)).toBeNull();
  });

  it('a new reset link ends the unused earlier one; an expired link does not work', async () => {
    const first = await issue('password_reset', 3600, true);
    const second = await issue('password_reset', 3600, true);
    expect(await findOneTimeLink(db.services, 'password_reset', first)).toBeNull();
    expect(await findOneTimeLink(db.services, 'password_reset', second)).not.toBeNull();
    const late = await issue('sign_in', 1);
    await db.services
      .sql`update one_time_links set expires_at = now() - interval '1 second' where expires_at < now() + interval '2 seconds'`;
    expect(await findSignInLink(db.services, late)).toBeNull();
    expect(await findOneTimeLink(db.services, 'sign_in', 'not a token')).toBeNull();
  });
});

describe('migration 0220', () => {
  it('moves the sign-in links and password resets into one_time_links as they were, and drops the two tables', async () => {
    const migration = await readFile(new URL('../../sql/0220_one_time_links.sql', import.meta.url), 'utf8');
    await db.services.sql.begin(async (tx) => {
      // The two old tables, in a schema of their own, as 0100 and 0110 made them.
      await tx.unsafe(`create schema before_0220; set local search_path = before_0220, public`);
      await tx.unsafe(`
        create table sign_in_links (token_hash text primary key, account_id uuid not null, organisation_id uuid not null,
          created_at timestamptz not null default now(), expires_at timestamptz not null, used_at timestamptz);
        create table password_resets (token_hash text primary key, account_id uuid not null, organisation_id uuid not null, created_by uuid,
          expires_at timestamptz not null, used_at timestamptz, created_at timestamptz not null default now())`);
      await tx.unsafe(
        `insert into sign_in_links (token_hash, account_id, organisation_id, expires_at) values ('hash-a', $1, $2, now() + interval '72 hours')`,
        [org.systemAdmin.id, org.organisationId],
      );
      await tx.unsafe(
        `insert into password_resets (token_hash, account_id, organisation_id, created_by, expires_at, used_at) values ('hash-b', $1, $2, $1, now() + interval '1 hour', now())`,
        [org.systemAdmin.id, org.organisationId],
      );
      for (const statement of migration.split('--> statement-breakpoint')) await tx.unsafe(statement);
      const rows = await tx.unsafe<{ token_hash: string; purpose: string; created_by: string | null; used: boolean }[]>(
        `select token_hash, purpose, created_by, used_at is not null as used from before_0220.one_time_links order by token_hash`,
      );
      expect(rows).toEqual([
        { token_hash: 'hash-a', purpose: 'sign_in', created_by: null, used: false },
        { token_hash: 'hash-b', purpose: 'password_reset', created_by: org.systemAdmin.id, used: true },
      ]);
      const [left] = await tx.unsafe<{ n: number }[]>(
        `select count(*)::int as n from pg_tables where schemaname = 'before_0220' and tablename in ('sign_in_links', 'password_resets')`,
      );
      expect(left!.n).toBe(0);
      await tx.unsafe('drop schema before_0220 cascade');
    });
  });
});
