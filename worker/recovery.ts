import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import type { WorkerEvents } from 'graphile-worker';
import type { Services } from '../src/context.js';
import { arrayLiteral } from '../src/db/array-literal.js';

export interface HeartbeatTiming {
  /** How often a runner says its workers are alive. */
  heartbeatSeconds: number;
  /** Silence after which a worker counts as gone (several missed beats, so a busy moment is not death). */
  staleSeconds: number;
}

/**
 * Releases the jobs held by workers that are gone: a worker whose heartbeat is older than
 * `staleSeconds`, or one that never beat (a runner of an older release) holding a job locked that
 * long. graphile-worker would otherwise keep such a job locked for 4 hours. The jobs are written
 * to be run again (each commits its work in steps it can resume from), so a second run finishes
 * what the killed one started. Returns the worker ids released.
 */
export async function releaseStaleWorkerLocks(services: Pick<Services, 'db'>, staleSeconds: number): Promise<string[]> {
  const stale = await services.db.execute<{ worker_id: string }>(sql`
    select distinct j.locked_by as worker_id
    from graphile_worker.jobs j left join worker_heartbeats h on h.worker_id = j.locked_by
    where j.locked_by is not null and coalesce(h.seen_at, j.locked_at) < now() - make_interval(secs => ${staleSeconds})`);
  const ids = stale.map((r) => r.worker_id);
  if (ids.length) await services.db.execute(sql`select graphile_worker.force_unlock_workers(${arrayLiteral(ids)}::text[])`);
  // A silent worker's row says nothing more: were it to lock a job again, its lock time would count.
  await services.db.execute(sql`delete from worker_heartbeats where seen_at < now() - make_interval(secs => ${staleSeconds})`);
  return ids;
}

export interface Heartbeats {
  /** The events object to hand to graphile-worker's run(): its workers are tracked from it. */
  events: WorkerEvents;
  /** One beat and one sweep now (the timer does the same every heartbeatSeconds). */
  beat(): Promise<void>;
  /** Stops beating and forgets this runner's workers (their jobs were finished or released). */
  stop(): Promise<void>;
  /** When this runner last wrote its beat (ms since the epoch), null before the first: for /readyz. */
  lastBeatAt(): number | null;
}

/**
 * Keeps this runner's workers' heartbeats and, on each beat, releases the jobs of workers that
 * are gone. Every runner does this, so a job left by a killed runner is taken up by any runner
 * still alive, or by the next one started, within staleSeconds plus a beat.
 */
export function startHeartbeats(services: Pick<Services, 'db'>, timing: HeartbeatTiming, onError: (error: unknown) => void): Heartbeats {
  const events = new EventEmitter() as WorkerEvents;
  const ours = new Set<string>();
  // Every id this runner has written a beat for, alive or stopped, for clearing at stop.
  const written = new Set<string>();
  // A job is locked in the name of the pool that fetched it (graphile-worker 0.17 fetches for the
  // pool), or of a single worker; both kinds of id are kept alive.
  events.on('pool:create', ({ workerPool }) => {
    ours.add(workerPool.id);
  });
  events.on('pool:release', ({ workerPool }) => {
    ours.delete(workerPool.id);
  });
  events.on('worker:create', ({ worker }) => {
    ours.add(worker.workerId);
  });
  events.on('worker:stop', ({ worker }) => {
    ours.delete(worker.workerId);
  });
  let lastBeatAt: number | null = null;
  const beat = async () => {
    if (ours.size) {
      for (const id of ours) written.add(id);
      await services.db.execute(sql`
        insert into worker_heartbeats (worker_id) select unnest(${arrayLiteral([...ours])}::text[])
        on conflict (worker_id) do update set seen_at = now()`);
    }
    await releaseStaleWorkerLocks(services, timing.staleSeconds);
    lastBeatAt = Date.now();
  };
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= beat()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  // First beat soon after start: the workers exist once run() has set its pool up.
  const first = setTimeout(tick, 1000);
  const timer = setInterval(tick, timing.heartbeatSeconds * 1000);
  first.unref();
  timer.unref();
  return {
    events,
    beat,
    lastBeatAt: () => lastBeatAt,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
      const ids = [...written];
      ours.clear();
      written.clear();
      if (ids.length) await services.db.execute(sql`delete from worker_heartbeats where worker_id = any(${arrayLiteral(ids)}::text[])`);
    },
  };
}
