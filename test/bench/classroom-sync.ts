import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Logger, runOnce } from 'graphile-worker';
import { createApp } from '../../src/app.js';
import { loadActor } from '../../src/auth/actor.js';
import { googleConfig, SANDBOX_CLIENT_ID } from '../../src/classroom/config.js';
import { beginConsent, completeConsent } from '../../src/classroom/connection.js';
import { openImportDraft, prepareClassroomImport, startClassroomImport } from '../../src/classroom/import.js';
import { enqueueScheduledSyncs } from '../../src/classroom/links.js';
import {
  loadSandboxWorld,
  SANDBOX_PAGE_MAX,
  studentSeed,
  type SandboxCourseSeed,
  type SandboxUserSeed,
} from '../../src/classroom/sandbox/data.js';
import { issueCode } from '../../src/classroom/sandbox/oauth.js';
import { generateTokenKey } from '../../src/classroom/token-crypto.js';
import { parseEnv } from '../../src/env.js';
import type { AppConfig } from '../../src/http/types.js';
import { createTaskList } from '../../worker/task-list.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { round } from './bench-context.js';

const COURSES = 200;
const STUDENTS = 35;
const TEACHER = '300000001';
const silent = new Logger(() => () => {});

/**
 * classroom_sync_200x35: a teacher with 200 Classroom courses of 35 students each, served by the
 * sandbox over HTTP to the real googleapis client. Imports all of them (one batch through the
 * import engine, 200 course links), then re-syncs every link with nothing changed and measures
 * that re-sync: seconds, Google API calls against the ideal (one students.list page per course,
 * the access token reused), and rows of roster data written (must be 0).
 */
export const classroomSyncBench: BenchModule = {
  async run(ctx: BenchContext) {
    const { services } = ctx;
    const env = parseEnv({ NODE_ENV: 'test', TOKEN_ENCRYPTION_KEY: generateTokenKey() });
    let calls = 0;
    const byPath = new Map<string, number>();
    let baseUrl = '';
    const config: AppConfig = { env, appUrl: '', devMailbox: false, secureCookies: false, htmxSource: () => '' };
    const svc = { ...services };
    const app = createApp({
      config: new Proxy(config, { get: (t, k) => (k === 'appUrl' ? baseUrl : t[k as keyof AppConfig]) }),
      services: () => svc,
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    svc.appUrl = baseUrl;
    const cfg = googleConfig(env, baseUrl);
    // Every Google request (page, job or test) goes through the global fetch: count the sandbox's.
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (target.startsWith(`${baseUrl}/google-sandbox/`)) {
        calls++;
        const path = new URL(target).pathname;
        byPath.set(path, (byPath.get(path) ?? 0) + 1);
      }
      return realFetch(input, init);
    };

    try {
      // The organisation, its administrator, and the same person's Google world in the sandbox.
      const [org] = await services.sql<{ id: string }[]>`insert into organisations (name) values ('Bench Schools') returning id`;
      const [group] = await services.sql<
        { id: string }[]
      >`insert into groups (organisation_id, name) values (${org!.id}, 'Bench Group') returning id`;
      const hash = await services.passwords.hash('bench-password');
      const [admin] = await services.sql<{ id: string }[]>`
        insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash)
        values (${org!.id}, 'administrator', true, 'Bench', 'Teacher', 'teacher@bench.test', ${hash}) returning id`;
      const users: SandboxUserSeed[] = [
        { id: TEACHER, email: 'teacher@bench.test', givenName: 'Bench', familyName: 'Teacher', signInChoice: true },
      ];
      const courses: SandboxCourseSeed[] = [];
      for (let c = 0; c < COURSES; c++) {
        const ids: string[] = [];
        for (let s = 0; s < STUDENTS; s++) {
          const student = studentSeed(c * STUDENTS + s + 1, { domain: 'bench-students.test' });
          users.push(student);
          ids.push(student.id);
        }
        courses.push({ id: String(700000000 + c), name: `Bench Class ${c + 1}`, section: null, ownerId: TEACHER, studentIds: ids });
      }
      await loadSandboxWorld(services.sql, { users, courses });

      const actor = (await loadActor(services, admin!.id))!;
      const actx = { ...services, actor };
      const { pending, url } = await beginConsent(cfg, {});
      const auth = new URL(url);
      const code = await issueCode(
        services.sql,
        { clientId: SANDBOX_CLIENT_ID, clientSecret: cfg.clientSecret, redirectUri: cfg.redirectUri, issuer: cfg.issuers[0]! },
        {
          clientId: auth.searchParams.get('client_id')!,
          redirectUri: auth.searchParams.get('redirect_uri')!,
          responseType: 'code',
          scope: auth.searchParams.get('scope')!,
          state: pending.state,
          codeChallenge: auth.searchParams.get('code_challenge')!,
          codeChallengeMethod: 'S256',
        },
        TEACHER,
      );
      // One connect: the code exchange (the ID token checked against the JWKS), then the course
      // list the import wizard shows first, which should use the exchange's access token.
      byPath.clear();
      await completeConsent(actx, cfg, { pending, state: pending.state, code, error: undefined });
      const { draftId } = await openImportDraft(actx, cfg);
      ctx.print({
        bench: 'classroom_connect',
        token_calls: byPath.get('/google-sandbox/token') ?? 0,
        certs_calls: (byPath.get('/google-sandbox/oauth2/v3/certs') ?? 0) + (byPath.get('/google-sandbox/oauth2/v1/certs') ?? 0),
        course_list_calls: byPath.get('/google-sandbox/v1/courses') ?? 0,
        target_token_calls: 1,
        target_certs_calls_at_most: 1,
      });

      // Import every course: one batch through the engine, a link per course.
      const runtime = { services: svc, env, mailer: null, databaseUrl: ctx.url };
      const drain = async () => {
        for (let i = 0; i < 50; i++) {
          await services.sql`update graphile_worker._private_jobs set run_at = now() where run_at > now() and attempts < max_attempts`;
          await runOnce({
            connectionString: ctx.url,
            taskList: createTaskList(runtime),
            concurrency: 4,
            noHandleSignals: true,
            logger: silent,
          });
          const [left] = await services.sql<
            { n: number }[]
          >`select count(*)::int as n from graphile_worker._private_jobs where attempts < max_attempts`;
          if (!left?.n) return;
        }
      };
      calls = 0;
      const importStarted = performance.now();
      const { batchId } = await prepareClassroomImport(actx, cfg, {
        draftId,
        courseIds: courses.map((c) => c.id),
        groupId: group!.id,
        defaultPassword: 'backup-password',
        tagIds: [],
      });
      await startClassroomImport(actx, batchId);
      await drain();
      const importSeconds = (performance.now() - importStarted) / 1000;
      const importCalls = calls;
      const [members] = await services.sql<{ n: number }[]>`select count(*)::int as n from classroom_link_members`;
      if (members!.n !== COURSES * STUDENTS) throw new Error(`expected ${COURSES * STUDENTS} members, found ${members!.n}`);

      // The re-sync with nothing changed.
      const [xid] = await services.sql<{ x: string }[]>`select txid_current()::text as x`;
      calls = 0;
      const started = performance.now();
      const enqueued = await enqueueScheduledSyncs(services);
      await drain();
      const seconds = (performance.now() - started) / 1000;
      const writes = async (table: string) => {
        const [row] = await services.sql<
          { n: number }[]
        >`select count(*)::int as n from ${services.sql(table)} where xmin::text::bigint > ${xid!.x}::bigint`;
        return row!.n;
      };
      let resyncWrites = 0;
      for (const t of ['accounts', 'account_tags', 'classroom_link_members', 'import_batches', 'import_rows', 'google_connections'])
        resyncWrites += await writes(t);
      const bookkeeping = (await writes('classroom_course_links')) + (await writes('classroom_sync_runs'));
      const [unchanged] = await services.sql<
        { n: number }[]
      >`select count(*)::int as n from classroom_sync_runs where outcome = 'unchanged'`;
      if (enqueued !== COURSES || unchanged!.n !== COURSES) throw new Error(`expected ${COURSES} unchanged syncs, saw ${unchanged!.n}`);

      // Ideal: one students.list page per course (35 fit a page) and the access token reused.
      const idealResync = COURSES * Math.ceil(STUDENTS / SANDBOX_PAGE_MAX.students);
      // Import (Continue): the course list is kept with the wizard's draft and the access token of
      // the code exchange is still good, so only a page per roster.
      const idealImport = idealResync;
      ctx.print({
        bench: 'classroom_sync_200x35',
        seconds: round(seconds),
        api_calls: calls,
        ideal_api_calls: idealResync,
        resync_writes: resyncWrites,
        bookkeeping_writes: bookkeeping,
        import_seconds: round(importSeconds),
        import_api_calls: importCalls,
        import_ideal_api_calls: idealImport,
        requests_per_second_limit: env.GOOGLE_REQUESTS_PER_SECOND,
      });
    } finally {
      globalThis.fetch = realFetch;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
};
