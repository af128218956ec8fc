import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { recordAudit } from '../audit.js';
import type { Ctx, Services } from '../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { parseInput } from './create-organisation.js';
import { creditLedgerSql, type CreditLedgerRow } from './credits-sql.js';
import { csvLine } from '../imports/csv/write.js';
import { isUuid } from '../ids.js';
import { paginate } from '../pagination.js';

export const CREDIT_LEDGER_PAGE_SIZE = 50;

export interface CreditLedgerPage {
  rows: CreditLedgerRow[];
  page: number;
  pageCount: number;
  total: number;
}

function requireSystemAdmin(ctx: Ctx): void {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError('Only system administrators can see the credit history.');
}

/** One page of the organisation's credit ledger, newest first; a page past the end reads as the last. */
export async function listCreditLedger(ctx: Ctx, input: { page: number }): Promise<CreditLedgerPage> {
  requireSystemAdmin(ctx);
  const org = ctx.actor.organisationId;
  const [count] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from credit_ledger where organisation_id = ${org}`);
  const total = count?.n ?? 0;
  const { page, pageCount, offset } = paginate(total, input.page, CREDIT_LEDGER_PAGE_SIZE);
  const rows = await ctx.db.execute<CreditLedgerRow>(creditLedgerSql(org, { limit: CREDIT_LEDGER_PAGE_SIZE, offset }));
  return { rows, page, pageCount, total };
}

/** The whole ledger as CSV; cells a spreadsheet would run as formulas are neutralised (amounts stay numbers). */
export async function creditLedgerCsv(ctx: Ctx): Promise<string> {
  requireSystemAdmin(ctx);
  const rows = await ctx.db.execute<CreditLedgerRow>(creditLedgerSql(ctx.actor.organisationId, null));
  const link = (r: CreditLedgerRow) =>
    r.importId ? `${ctx.appUrl}/imports/${r.importId}` : r.requestId ? `${ctx.appUrl}/assignments/requests/${r.requestId}` : '';
  const lines = rows.map((r) => csvLine([new Date(r.at).toISOString(), r.reason, r.who ?? 'Rosterbridge operator', r.delta, link(r)]));
  return csvLine(['When (UTC)', 'What', 'Who', 'Amount', 'Link']) + lines.join('');
}

export const AddCreditsInput = v.object({
  organisation: v.pipe(v.string(), v.trim(), v.nonEmpty('Name the organisation (its id or its name).')),
  add: v.pipe(
    v.union(
      [
        v.number(),
        v.pipe(v.string(), v.trim(), v.regex(/^[+-]?\d{1,7}$/, 'The number of credits must be a whole number.'), v.transform(Number)),
      ],
      'The number of credits must be a whole number.',
    ),
    v.integer('The number of credits must be a whole number.'),
    v.check((n) => n !== 0, 'The number of credits cannot be 0.'),
    v.minValue(-1_000_000, 'At most 1000000 credits can be removed at once.'),
    v.maxValue(1_000_000, 'At most 1000000 credits can be added at once.'),
  ),
  note: v.pipe(
    v.string(),
    v.trim(),
    v.nonEmpty('Give a note saying why (for example the order number).'),
    v.maxLength(200, 'The note can be at most 200 characters.'),
  ),
});

/** An organisation named by an operator: its id, or its name ignoring case. */
export async function findOrganisation(
  services: Pick<Services, 'db'>,
  idOrName: string,
): Promise<{ id: string; name: string; creditsBalance: number }> {
  const isId = isUuid(idOrName);
  const rows = await services.db.execute<{ id: string; name: string; credits_balance: number }>(
    isId
      ? sql`select id, name, credits_balance from organisations where id = ${idOrName}`
      : sql`select id, name, credits_balance from organisations where lower(name) = lower(${idOrName}) order by created_at limit 2`,
  );
  if (rows.length === 0) throw new NotFoundError(`There is no organisation "${idOrName}". Give its id or its exact name.`);
  if (rows.length > 1) throw new ValidationError(`More than one organisation is named "${idOrName}". Give its id instead.`);
  return { id: rows[0]!.id, name: rows[0]!.name, creditsBalance: rows[0]!.credits_balance };
}

/**
 * An operator adds (or, with a negative number, removes) credits: one ledger line and the balance,
 * in one transaction. The balance never goes below zero (the table's check refuses it).
 */
export async function addCredits(
  services: Services,
  raw: unknown,
): Promise<{ organisationId: string; name: string; added: number; balance: number }> {
  const input = parseInput(AddCreditsInput, raw, 'No credits were added.');
  const org = await findOrganisation(services, input.organisation);
  return services.db.transaction(async (tx) => {
    const [row] = await tx.execute<{ balance: number }>(sql`
      update organisations set credits_balance = credits_balance + ${input.add}
      where id = ${org.id} and credits_balance + ${input.add} >= 0 returning credits_balance as balance`);
    if (!row)
      throw new ValidationError(
        `No credits were changed: ${org.name} has ${org.creditsBalance} credits, fewer than the ${-input.add} to remove.`,
      );
    await tx.execute(sql`insert into credit_ledger (organisation_id, delta, reason) values (${org.id}, ${input.add}, ${input.note})`);
    await recordAudit(tx, null, 'credits.added', {
      organisationId: org.id,
      subjectType: 'organisation',
      subjectId: org.id,
      details: { delta: input.add, note: input.note, by: 'operator' },
    });
    return { organisationId: org.id, name: org.name, added: input.add, balance: row.balance };
  });
}
