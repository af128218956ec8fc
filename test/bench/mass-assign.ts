import { Logger, run } from 'graphile-worker';
import { createSelection } from '../../src/accounts/selection.js';
import { listProducts } from '../../src/assignments/catalogue.js';
import { createAssignmentRequest } from '../../src/assignments/request.js';
import { loadActor } from '../../src/auth/actor.js';
import { seedDemoCatalogue } from '../../src/db/seed-catalogue.js';
import { seedOrganisation } from '../../src/db/seed.js';
import { parseEnv } from '../../src/env.js';
import { createTaskList } from '../../worker/task-list.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { round } from './bench-context.js';

/**
 * mass_assign_100k: 100k accounts x 1 product, from Confirm Assignment (selection "all across
 * pages") to the job done; then the same again, where every account is skipped; and the limit,
 * one plain INSERT ... SELECT ... ON CONFLICT DO NOTHING of the same 100k rows into a scratch table.
 */
export const massAssignBench: BenchModule = {
  async run(ctx: BenchContext) {
    const { services } = ctx;
    await seedDemoCatalogue(services);
    const seeded = await seedOrganisation(services, {
      name: 'Bench District',
      domain: 'bench.test',
      accounts: 100_000,
      credits: 1_000_000,
    });
    await services.sql`vacuum analyze`;
    const [admin] = await services.sql<{ id: string }[]>`select id from accounts where email = ${seeded.systemAdminEmail}`;
    const actor = (await loadActor(services, admin!.id))!;
    const actx = { ...services, actor };
    const product = (await listProducts(services)).find((p) => p.name === 'Life Skills')!;
    const items = [
      { productId: product.id, edition: 'standard' as const, mode: 'manual' as const, unitIds: product.units.slice(0, 3).map((u) => u.id) },
    ];
    const taskList = createTaskList({ services, env: parseEnv({ NODE_ENV: 'production' }), mailer: null, databaseUrl: ctx.url });
    const logger = new Logger(() => () => {});

    // A runner already waiting, as in production: it hears the new job at once (LISTEN/NOTIFY).
    const runner = await run({ connectionString: ctx.url, taskList, concurrency: 1, noHandleSignals: true, logger, pollInterval: 1000 });
    const waitUntilDone = async (requestId: string) => {
      for (;;) {
        const [r] = await services.sql<{ status: string }[]>`select status from assignment_requests where id = ${requestId}`;
        if (r!.status === 'finished' || r!.status === 'failed') return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const confirmAndRun = async () => {
      const selection = await createSelection(actx, { allMatching: true, filter: {} });
      const started = performance.now();
      const { requestId } = await createAssignmentRequest(actx, { targets: { kind: 'selection', selectionId: selection.id }, items });
      await waitUntilDone(requestId);
      const seconds = (performance.now() - started) / 1000;
      const [r] = await services.sql<{ status: string; assigned_count: number; skipped_count: number }[]>`
        select status, assigned_count, skipped_count from assignment_requests where id = ${requestId}`;
      if (r!.status !== 'finished') throw new Error(`request ended ${r!.status}`);
      return { seconds, assigned: r!.assigned_count, skipped: r!.skipped_count };
    };

    const first = await confirmAndRun();
    const rerun = await confirmAndRun();
    await runner.stop();

    await services.sql`create table bench_scratch (account_id uuid not null, product_id uuid not null, primary key (account_id, product_id))`;
    const limitStarted = performance.now();
    await services.sql`
      insert into bench_scratch (account_id, product_id)
      select a.id, ${product.id}::uuid from accounts a where a.organisation_id = ${seeded.organisationId}
      on conflict do nothing`;
    const limitSeconds = (performance.now() - limitStarted) / 1000;

    ctx.print({
      bench: 'mass_assign_100k',
      seconds: round(first.seconds, 3),
      rerun_seconds: round(rerun.seconds, 3),
      limit_seconds: round(limitSeconds, 3),
      ratio: round(first.seconds / limitSeconds, 2),
      assigned: first.assigned,
      rerun_skipped: rerun.skipped,
    });
  },
};
