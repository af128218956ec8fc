import { Logger, run } from 'graphile-worker';
import { confirmBulkAction } from '../../src/accounts/bulk.js';
import { createSelection } from '../../src/accounts/selection.js';
import { createApp } from '../../src/app.js';
import { loadActor } from '../../src/auth/actor.js';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions.js';
import { seedOrganisation } from '../../src/db/seed.js';
import { parseEnv } from '../../src/env.js';
import { createTaskList } from '../../worker/task-list.js';
import { testConfig } from '../helpers/app.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { percentiles, round } from './bench-context.js';

async function seeded(ctx: BenchContext) {
  const { services } = ctx;
  const org = await seedOrganisation(services, { name: 'Bench District', domain: 'bench.test', accounts: 100_000 });
  await services.sql`vacuum analyze`;
  const [admin] = await services.sql<{ id: string }[]>`select id from accounts where email = ${org.systemAdminEmail}`;
  return { org, adminId: admin!.id };
}

/**
 * bulk_tag_100k: "select all across all pages" of a 100k organisation, Add tag, from Confirm to
 * the job done with a runner already listening (as in production).
 */
export const bulkTagBench: BenchModule = {
  async run(ctx: BenchContext) {
    const { services } = ctx;
    const { org, adminId } = await seeded(ctx);
    const actor = (await loadActor(services, adminId))!;
    const actx = { ...services, actor };
    const [tag] = await services.sql<
      { id: string }[]
    >`insert into tags (organisation_id, name) values (${org.organisationId}, 'Bench tag') returning id`;
    const taskList = createTaskList({ services, env: parseEnv({ NODE_ENV: 'production' }), mailer: null, databaseUrl: ctx.url });
    const runner = await run({
      connectionString: ctx.url,
      taskList,
      concurrency: 1,
      noHandleSignals: true,
      logger: new Logger(() => () => {}),
      pollInterval: 1000,
    });
    try {
      const selection = await createSelection(actx, { allMatching: true, filter: {} });
      const started = performance.now();
      const { bulkActionId } = await confirmBulkAction(actx, { selectionId: selection.id, action: { kind: 'add-tag', tagId: tag!.id } });
      for (;;) {
        const [r] = await services.sql<
          { status: string; changed_count: number }[]
        >`select status, changed_count from bulk_actions where id = ${bulkActionId}`;
        if (r!.status === 'failed') throw new Error('bulk action failed');
        if (r!.status === 'finished') {
          ctx.print({ bench: 'bulk_tag_100k', seconds: round((performance.now() - started) / 1000, 3), changed: r!.changed_count });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await runner.stop();
    }
  },
};

/**
 * account_page: the page of an account with 50 assignments (some progress) and a history, in a
 * 100k organisation whose audit log holds a line for every account and with 20k import batches; the whole HTTP response,
 * signed in, 200 times after a warm-up.
 */
export const accountPageBench: BenchModule = {
  async run(ctx: BenchContext) {
    const { services } = ctx;
    const { org, adminId } = await seeded(ctx);
    const [learner] = await services.sql<{ id: string }[]>`
      select id from accounts where organisation_id = ${org.organisationId} and kind = 'user' order by id offset 5000 limit 1`;
    const accountId = learner!.id;
    await services.sql`
      with p as (insert into products (name, credit_cost, position) select 'Bench product ' || i, 1, 100 + i from generate_series(1, 50) i returning id)
      insert into product_units (product_id, position, name) select p.id, u, 'Unit ' || u from p, generate_series(1, 4) u`;
    await services.sql`
      insert into assignments (account_id, product_id, organisation_id, mode, edition, unit_ids, starts_on)
      select ${accountId}, p.id, ${org.organisationId}, 'manual', 'standard', (select array_agg(u.id) from product_units u where u.product_id = p.id), current_date
      from products p where p.name like 'Bench product %'`;
    await services.sql`
      insert into unit_assignments (account_id, product_id, unit_id, status)
      select ${accountId}, u.product_id, u.id, case when u.position = 1 then 'completed'::unit_status else 'in_progress'::unit_status end
      from product_units u join products p on p.id = u.product_id where p.name like 'Bench product %' and u.position <= 2`;
    await services.sql`
      insert into audit_log (organisation_id, actor_id, action, subject_type, subject_id)
      select ${org.organisationId}, ${adminId}, 'account.created', 'account', a.id::text from accounts a where a.organisation_id = ${org.organisationId}`;
    await services.sql`
      insert into audit_log (organisation_id, actor_id, action, subject_type, subject_id)
      select ${org.organisationId}, ${adminId}, 'account.edited', 'account', ${accountId} from generate_series(1, 40)`;
    // A year of Classroom syncs leaves thousands of small import batches; each assignment's row
    // looks up the import that made it (an index probe since sql/0222, a read of them all before).
    await services.sql`
      insert into import_batches (organisation_id, source, created_by) select ${org.organisationId}, 'classroom', ${adminId} from generate_series(1, 20000)`;
    await services.sql`vacuum analyze`;

    const app = createApp({ config: testConfig({ appUrl: 'http://localhost:3000' }), services: () => services });
    const { token } = await createSession(services, adminId);
    const headers = { cookie: `${SESSION_COOKIE}=${token}` };
    const get = async () => {
      const res = await app.request(`/accounts/${accountId}`, { headers });
      const html = await res.text();
      if (res.status !== 200 || !html.includes('Bench product 50')) throw new Error(`account page answered ${res.status}`);
    };
    for (let i = 0; i < 20; i++) await get();
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await get();
      times.push(performance.now() - started);
    }
    const { p50, p95 } = percentiles(times);
    ctx.print({ bench: 'account_page', p50_ms: p50, p95_ms: p95, assignments: 50 });
  },
};
