import { createApp } from '../../src/app.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import type { Services } from '../../src/context.js';
import type { WebActivity } from '../../src/cpu-share.js';
import { seedOrganisation, type SeedResult } from '../../src/db/seed.js';
import { parseEnv } from '../../src/env.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { percentiles } from './bench-context.js';

/** A request of View Accounts as the browser sends it (the results fragment, or the whole page). */
export interface ViewAccountsRequest {
  path: string;
  headers: Record<string, string>;
}

/** The app, and the View Accounts requests of the seeded organisation's system administrator: searches, filters, deep pages. */
export async function viewAccountsRequests(
  services: Services,
  seeded: SeedResult,
  webActivity?: WebActivity,
): Promise<{ app: ReturnType<typeof createApp>; requests: ViewAccountsRequest[] }> {
  const [admin] = await services.sql<{ id: string }[]>`select id from accounts where email = ${seeded.systemAdminEmail}`;
  const [group] = await services.sql<
    { id: string }[]
  >`select id from groups where organisation_id = ${seeded.organisationId} order by name limit 1`;
  const [tag] = await services.sql<
    { id: string }[]
  >`select id from tags where organisation_id = ${seeded.organisationId} order by name limit 1`;
  const { token } = await createSession(services, admin!.id);
  const app = createApp({
    config: {
      env: parseEnv({ NODE_ENV: 'production' }),
      appUrl: 'http://localhost',
      devMailbox: false,
      secureCookies: false,
      htmxSource: () => '',
    },
    services: () => services,
    webActivity: webActivity ?? null,
  });
  const cookie = `${SESSION_COOKIE}=${token}`;
  const fragment = { cookie, 'hx-request': 'true', 'hx-target': 'accounts-results' };
  const requests: ViewAccountsRequest[] = [
    { path: '/accounts?q=garcia', headers: fragment },
    { path: '/accounts?q=ava.nguyen1', headers: fragment },
    { path: `/accounts?tagId=${tag!.id}`, headers: fragment },
    { path: `/accounts?groupId=${group!.id}`, headers: fragment },
    { path: `/accounts?groupId=${group!.id}&tagId=${tag!.id}`, headers: fragment },
    { path: `/accounts?groupId=${group!.id}&q=garcia`, headers: fragment },
    { path: '/accounts?page=500', headers: fragment },
    { path: `/accounts?groupId=${group!.id}&all=1`, headers: fragment },
    { path: '/accounts?q=garcia&all=1&page=2', headers: fragment },
    { path: '/accounts', headers: { cookie } },
  ];
  return { app, requests };
}

/** A request's path with its group and tag ids shortened, for BENCH_VERBOSE's per-request lines. */
export function requestLabel(path: string): string {
  return path.replace(/groupId=[0-9a-f-]+/, 'groupId=G').replace(/tagId=[0-9a-f-]+/, 'tagId=T');
}

/** Server-side times of every request, `rounds` times over; the first round warms caches and prepared plans and is left out. */
export async function timeViewAccounts(services: Services, seeded: SeedResult, rounds = 8): Promise<number[]> {
  const { app, requests } = await viewAccountsRequests(services, seeded);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const r of requests) {
      const started = performance.now();
      const res = await app.request(r.path, { headers: r.headers });
      await res.text();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`${r.path} answered ${res.status}`);
      if (round > 0) times.push(ms);
      if (process.env.BENCH_VERBOSE && round > 0) console.error(requestLabel(r.path), ms.toFixed(1));
    }
  }
  return times;
}

/**
 * accounts_search_100k: server-side time of View Accounts requests (the whole request through
 * the app: session, scope, count, page, render) against an organisation of 100k accounts.
 */
export const accountsSearchBench: BenchModule = {
  async run(ctx: BenchContext) {
    const { services } = ctx;
    const seeded = await seedOrganisation(services, { name: 'Bench District', domain: 'bench.test', accounts: 100_000 });
    // The steady state autovacuum keeps: statistics and the visibility map (index-only counts).
    await services.sql`vacuum analyze`;
    const times = await timeViewAccounts(services, seeded);
    const { p50, p95 } = percentiles(times);
    ctx.print({ bench: 'accounts_search_100k', p50_ms: p50, p95_ms: p95, requests: times.length });
  },
};

/**
 * accounts_search_2m: the same requests in one organisation of 100k, first alone, then among 20
 * organisations of 100k each (2M accounts, seeded set-based): a search should cost what its own
 * organisation's data costs. Both figures come from the same run, so the ratio is fair.
 */
export const accountsSearch2mBench: BenchModule = {
  async run(ctx: BenchContext) {
    const { services } = ctx;
    const perOrg = Number(process.env.BENCH_ORG_ACCOUNTS ?? 100_000);
    const seeded = await seedOrganisation(services, { name: 'Bench District 1', domain: 'bench1.test', accounts: perOrg });
    await services.sql`vacuum analyze`;
    const alone = percentiles(await timeViewAccounts(services, seeded));
    const t0 = performance.now();
    // The other 19 schools are loaded as a restore would: without the search index, which is then
    // built once over all 2M rows. Kept up row by row, the GIN index made this seed take 21
    // minutes (each organisation's 100k trigram entries merged into ever larger posting trees).
    const [search] = await services.sql<{ def: string }[]>`select pg_get_indexdef('accounts_search_trgm_idx'::regclass) as def`;
    await services.sql`drop index accounts_search_trgm_idx`;
    for (let i = 2; i <= 20; i++)
      await seedOrganisation(services, { name: `Bench District ${i}`, domain: `bench${i}.test`, accounts: perOrg });
    await services.sql.unsafe(search!.def);
    const seedSeconds = (performance.now() - t0) / 1000;
    await services.sql`vacuum analyze`;
    const among = percentiles(await timeViewAccounts(services, seeded));
    const [total] = await services.sql<{ n: number }[]>`select count(*)::int as n from accounts`;
    ctx.print({
      bench: 'accounts_search_2m',
      p50_ms: among.p50,
      p95_ms: among.p95,
      alone_p50_ms: alone.p50,
      alone_p95_ms: alone.p95,
      ratio_to_100k: Math.round((among.p95 / alone.p95) * 100) / 100,
      accounts: total!.n,
      seed_seconds: Math.round(seedSeconds),
    });
  },
};
