import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Papa from 'papaparse';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx, Services } from '../../src/context.js';
import { getImportBatch } from '../../src/imports/batches.js';
import { decodeCsv } from '../../src/imports/csv/decode.js';
import { saveCsvExistingOptions, saveCsvFieldOptions, saveCsvMapping, uploadCsv } from '../../src/imports/csv/wizard.js';
import { runImport, startImport, type RunImportOptions } from '../../src/imports/run.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { round } from './bench-context.js';

const FIRST = ['Ava', 'Liam', 'Noah', 'Emma', 'Olivia', 'Mateo', 'Sofia', 'Ethan', 'Mia', 'Lucas', 'Amara', 'Kai', 'Zara', 'Omar', 'Priya'];
const LAST = ['Garcia', 'Nguyen', 'Smith', 'Johnson', 'Okafor', 'Patel', 'Kim', 'Martinez', 'Brown', 'Rossi', 'Haddad', 'Silva', 'Cohen'];

/**
 * A realistic file: names, email, a tag; with a password column when asked. Encoded a thousand
 * rows at a time, so making it leaves no large heap behind to blur the import's memory figure.
 */
export function makeFile(rows: number, withPasswords: boolean, domain = 'bench-school.test'): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [
    encoder.encode(`${withPasswords ? 'First Name,Last Name,Email,Tag,Password' : 'First Name,Last Name,Email,Tag'}\r\n`),
  ];
  let text = '';
  for (let i = 0; i < rows; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    const email = `${first}.${last}${i}@${domain}`.toLowerCase();
    const tag = i % 3 === 0 ? 'Grade 9' : '';
    text += withPasswords ? `${first},${last},${email},${tag},Pass-${i}-word\r\n` : `${first},${last},${email},${tag}\r\n`;
    if (i % 1000 === 999) {
      parts.push(encoder.encode(text));
      text = '';
    }
  }
  if (text) parts.push(encoder.encode(text));
  return Buffer.concat(parts);
}

async function setUp(services: Services): Promise<{ ctx: Ctx; groupId: string }> {
  const hash = await services.passwords.hash('bench-admin-password');
  const [org] = await services.sql<{ id: string }[]>`insert into organisations (name) values ('Bench School') returning id`;
  const [group] = await services.sql<
    { id: string }[]
  >`insert into groups (organisation_id, name) values (${org!.id}, 'Bench Group') returning id`;
  await services.sql`insert into tags (organisation_id, name) values (${org!.id}, 'Grade 9')`;
  const [admin] = await services.sql<{ id: string }[]>`
    insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash)
    values (${org!.id}, 'administrator', true, 'Bench', 'Admin', 'admin@bench-school.test', ${hash}) returning id`;
  const actor = await loadActor(services, admin!.id);
  return { ctx: { ...services, actor: actor! }, groupId: group!.id };
}

/** Runs the whole wizard and the job on one file; returns the timings of its parts. */
async function importFile(
  ctx: Ctx,
  groupId: string,
  bytes: Uint8Array,
  withPasswords: boolean,
  runOptions: RunImportOptions = {},
  updateExisting = { password: false, group: false, tags: false },
) {
  const t0 = performance.now();
  const { id } = await uploadCsv(ctx, { bytes, fileName: 'bench.csv', accountKind: 'user', sendWelcomeEmail: false, presetId: null });
  const tUpload = performance.now();
  await saveCsvMapping(
    ctx,
    id,
    withPasswords ? ['firstName', 'lastName', 'email', 'tag', 'password'] : ['firstName', 'lastName', 'email', 'tag'],
  );
  const tStaged = performance.now();
  await saveCsvFieldOptions(ctx, id, {
    password: withPasswords ? '' : 'Shared-bench-1',
    confirmPassword: withPasswords ? '' : 'Shared-bench-1',
    mustChangePassword: true,
    groupId,
    tagIds: [],
  });
  await saveCsvExistingOptions(ctx, id, updateExisting);
  await startImport(ctx, id);
  const tChecked = performance.now();
  const result = await runImport(ctx, id, runOptions);
  const tDone = performance.now();
  const batch = await getImportBatch(ctx, id);
  if (result !== 'finished') throw new Error(`bench import ended ${result}`);
  return {
    id,
    batch,
    upload: (tUpload - t0) / 1000,
    stage: (tStaged - tUpload) / 1000,
    check: (tChecked - tUpload) / 1000,
    run: (tDone - tChecked) / 1000,
    total: (tDone - t0) / 1000,
  };
}

/** The floor for this work on this machine: papaparse of the same file and a raw COPY of its rows. */
async function limitSeconds(services: Services, bytes: Uint8Array): Promise<number> {
  await services.sql`create table if not exists bench_scratch (first_name text, last_name text, email text, tag text)`;
  await services.sql`truncate bench_scratch`;
  const t0 = performance.now();
  const { text } = decodeCsv(bytes);
  const copyEscape = (s: string) =>
    s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
  // papaparse streaming (a row at a time), the COPY text built as it goes.
  const pieces: string[] = [];
  let buf = '';
  let header = true;
  Papa.parse<string[]>(text, {
    delimiter: ',',
    skipEmptyLines: true,
    step: (result) => {
      if (header) {
        header = false;
        return;
      }
      const r = result.data;
      buf += `${copyEscape(r[0] ?? '')}\t${copyEscape(r[1] ?? '')}\t${copyEscape(r[2] ?? '')}\t${copyEscape(r[3] ?? '')}\n`;
      if (buf.length > 256 * 1024) {
        pieces.push(buf);
        buf = '';
      }
    },
  });
  if (buf) pieces.push(buf);
  async function* lines() {
    yield* pieces;
  }
  const writable = await services.sql`copy bench_scratch (first_name, last_name, email, tag) from stdin`.writable();
  await pipeline(Readable.from(lines()), writable);
  const seconds = (performance.now() - t0) / 1000;
  await services.sql`drop table bench_scratch`;
  return seconds;
}

function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

/**
 * The resident memory of this process while `work` runs, sampled every 2 ms: the import's peak,
 * apart from what the bench itself held before (the generated file, the limit's parse).
 */
async function sampledPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakMb: round(peak / 2 ** 20, 1) };
  } finally {
    clearInterval(timer);
  }
}

export const csvImport100kBench: BenchModule = {
  async run(bench: BenchContext) {
    const { ctx, groupId } = await setUp(bench.services);
    const baselineRss = peakRssMb();
    const bytes = makeFile(Number(process.env.BENCH_ROWS ?? 100_000), false);
    const rssBefore = round(process.memoryUsage.rss() / 2 ** 20, 1);
    const { result: r, peakMb } = await sampledPeakRss(() => importFile(ctx, groupId, bytes, false));
    // The limit after the import, so what its parse holds is not under the import's memory figure.
    const limit = await limitSeconds(bench.services, bytes);
    if (r.batch.createdCount !== Number(process.env.BENCH_ROWS ?? 100_000))
      throw new Error(`expected 100000 accounts, got ${r.batch.createdCount}`);
    // Context for the figures: one INSERT of as many rows straight into accounts (its indexes,
    // trigram index included, and constraints), the least any import of these accounts costs here.
    const [scratch] = await bench.services.sql<{ id: string }[]>`insert into organisations (name) values ('Bench floor') returning id`;
    const tInsert = performance.now();
    await bench.services.sql`
      insert into accounts (organisation_id, kind, first_name, last_name, email, password_hash, source)
      select ${scratch!.id}, 'user', a.first_name, a.last_name, a.email, a.password_hash, 'csv'
      from accounts a where a.organisation_id = ${ctx.actor.organisationId} and a.source = 'csv'`;
    const accountsInsert = (performance.now() - tInsert) / 1000;
    bench.print({
      bench: 'csv_import_100k',
      seconds: round(r.total),
      upload_seconds: round(r.upload),
      check_seconds: round(r.check),
      stage_seconds: round(r.stage),
      import_seconds: round(r.run),
      peak_rss_mb: peakMb,
      rss_before_mb: rssBefore,
      process_max_rss_mb: peakRssMb(),
      process_rss_at_start_mb: baselineRss,
      limit_seconds: round(limit),
      ratio: round(r.total / limit),
      accounts_insert_seconds: round(accountsInsert),
      // Judged against the table's own floor: at most 1.25x that one INSERT, in the same run.
      insert_ratio: round(r.total / accountsInsert),
    });

    // The same file again, now that its accounts exist, updating their password, group and tags:
    // the roster uploaded a second time.
    const again = await importFile(ctx, groupId, bytes, false, {}, { password: true, group: true, tags: true });
    if (again.batch.updatedCount !== r.batch.createdCount)
      throw new Error(`expected ${r.batch.createdCount} updates, got ${again.batch.updatedCount}`);
    bench.print({
      bench: 'csv_reimport_100k',
      seconds: round(again.total),
      check_seconds: round(again.check),
      import_seconds: round(again.run),
      updated: again.batch.updatedCount,
      // At most 1.5x the fresh import of the same run.
      ratio_to_import: round(again.total / r.total),
    });
  },
};

export const csvImportPasswords2kBench: BenchModule = {
  async run(bench: BenchContext) {
    const { ctx, groupId } = await setUp(bench.services);
    // The limit: one hash at a time, measured here, times the cores.
    const cores = availableParallelism();
    // Measured before and after the import, so load from elsewhere on the machine weighs on both sides.
    const singleRate = async () => {
      const samples = 16;
      const t0 = performance.now();
      for (let i = 0; i < samples; i++) await bench.services.passwords.hash(`single-hash-${i}`);
      return samples / ((performance.now() - t0) / 1000);
    };
    const before = await singleRate();
    const rows = 2000;
    const r = await importFile(ctx, groupId, makeFile(rows, true), true);
    const limit = ((before + (await singleRate())) / 2) * cores;
    // Context: the same hashes with nothing else going on (no database, no import), all cores busy.
    const pure = async () => {
      const n = 120;
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: cores * 2 }, async () => {
          while (next < n) await bench.services.passwords.hash(`pure-${next++}`);
        }),
      );
      return n / ((performance.now() - t0) / 1000);
    };
    const pureRate = await pure();
    if (r.batch.createdCount !== rows || r.batch.passwordsHashed !== rows)
      throw new Error(`expected ${rows} accounts and hashes, got ${r.batch.createdCount}/${r.batch.passwordsHashed}`);
    // Over the whole job (hashing, then one chunk of 2,000 rows applied), so nothing is left out.
    const hashesPerSecond = rows / r.run;
    bench.print({
      bench: 'csv_import_passwords_2k',
      hashes_per_s: round(hashesPerSecond, 1),
      limit_hashes_per_s: round(limit, 1),
      ratio: round(hashesPerSecond / limit),
      concurrent_hashes_per_s: round(pureRate, 1),
      cores,
      import_seconds: round(r.run),
    });
  },
};
