import { sql, type SQL } from 'drizzle-orm';

/** One line of the credit ledger as the Organisation page and its CSV show it. */
export type CreditLedgerRow = {
  id: number;
  at: Date;
  delta: number;
  reason: string;
  /** Who spent or added: the administrator behind the mass assignment or import; null for operator lines. */
  who: string | null;
  requestId: string | null;
  importId: string | null;
};

/**
 * The organisation's ledger, newest first. A line that paid for a mass assignment links to it,
 * or to the import whose preset made the assignment.
 */
export function creditLedgerSql(organisationId: string, page: { limit: number; offset: number } | null): SQL {
  return sql`
    select l.id, l.created_at as "at", l.delta, l.reason, l.request_id as "requestId",
      nullif(trim(coalesce(a.first_name, '') || ' ' || coalesce(a.last_name, '')), '') as who,
      (select b.id from import_batches b where b.organisation_id = l.organisation_id and b.assignment_request_id = l.request_id limit 1) as "importId"
    from credit_ledger l
    left join assignment_requests r on r.id = l.request_id and r.organisation_id = l.organisation_id
    left join accounts a on a.id = r.created_by and a.organisation_id = l.organisation_id
    where l.organisation_id = ${organisationId}
    order by l.created_at desc, l.id desc
    ${page ? sql`limit ${page.limit} offset ${page.offset}` : sql``}`;
}
