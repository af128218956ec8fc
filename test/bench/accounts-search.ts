import { createApp } from '../../src/app.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { seedOrganisation } from '../../src/db/seed.js';
import { parseEnv } from '../../src/env.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { percentiles } from './bench-context.js';

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
    const [admin] = await services.sql<{ id: string }[]>`select id from accounts where email = ${seeded.systemAdminEmail}`;
    const [group] = await services.sql<{ id: string }[]>`select id from groups where organisation_id = ${seeded.organisationId} order by name limit 1`;
    const [tag] = await services.sql<{ id: string }[]>`select id from tags where organisation_id = ${seeded.organisationId} order by name limit 1`;
    const { token } = await createSession(services, admin!.id);
    const app = createApp({
      config: { env: parseEnv({ NODE_ENV: 'production' }), appUrl: 'http://localhost', devMailbox: false, secureCookies: false, htmxSource: () => '' },
      services: () => services,
    });
    const cookie = `${SESSION_COOKIE}=${token}`;
    const fragment = { cookie, 'hx-request': 'true', 'hx-target': 'accounts-results' };
    const requests: { path: string; headers: Record<string, string> }[] = [
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
    const times: number[] = [];
    for (let round = 0; round < 8; round++) {
      for (const r of requests) {
        const started = performance.now();
        const res = await app.request(r.path, { headers: r.headers });
        await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`${r.path} answered ${res.status}`);
        if (round > 0) times.push(ms); // the first round warms caches and prepared plans
        if (process.env.BENCH_VERBOSE && round > 0) console.error(r.path.slice(0, 40), ms.toFixed(1));
      }
    }
    const { p50, p95 } = percentiles(times);
    ctx.print({ bench: 'accounts_search_100k', p50_ms: p50, p95_ms: p95, requests: times.length });
  },
};
