import { sql, type SQL } from 'drizzle-orm';

/** A page of a batch's rows as the import pages show them (listImportRows). */
export type ImportRowRecord = {
  row_number: number;
  first_name: string;
  last_name: string;
  email: string;
  group_name: string | null;
  tag_names: string[];
  has_password: boolean;
  google_user_id: string | null;
  outcome: 'pending' | 'create' | 'update' | 'keep' | 'skip';
  reason: string | null;
  applied: boolean;
  account_id: string | null;
  existing: boolean;
  current_group_name: string | null;
  current_tag_names: string[] | null;
};

/**
 * `where` picks the rows (alias r), `reach` the existing accounts the actor may see (alias a):
 * a row shows the group and tags it will have, and an existing account's current ones beside them.
 */
export function importRowsPageSql(input: {
  batch: { appliedThrough: number; organisationId: string };
  where: SQL;
  reach: SQL;
  limit: number;
  offset: number;
  /** By last name, then first name (the result page), instead of the file's order. */
  byName?: boolean;
}): SQL {
  return sql`
    select r.row_number, r.first_name, r.last_name, r.email,
      case when r.outcome = 'skip' then r.group_name else coalesce(g.name, r.group_name) end as group_name,
      case when r.outcome <> 'skip' and cardinality(r.tag_ids) > 0
           then array(select t.name from tags t where t.id = any(r.tag_ids) order by lower(t.name)) else r.tag_names end as tag_names,
      (r.password is not null or r.password_hash is not null) as has_password, r.google_user_id, r.outcome, r.reason,
      r.row_number <= ${input.batch.appliedThrough} as applied,
      coalesce(r.account_id, case when r.outcome = 'create' and r.row_number <= ${input.batch.appliedThrough} then r.new_account_id end) as account_id,
      a.id is not null as existing,
      (select cg.name from groups cg where cg.id = a.group_id) as current_group_name,
      case when a.id is not null then array(select t.name from account_tags at join tags t on t.id = at.tag_id where at.account_id = a.id order by lower(t.name)) end as current_tag_names
    from import_rows r left join groups g on g.id = r.group_id and g.organisation_id = ${input.batch.organisationId}
    left join accounts a on a.id = r.account_id and r.outcome in ('update', 'keep') and ${input.reach}
    where ${input.where}
    order by ${input.byName ? sql`lower(r.last_name), lower(r.first_name), r.row_number` : sql`r.row_number`} limit ${input.limit} offset ${input.offset}`;
}
