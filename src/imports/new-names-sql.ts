import { sql, type SQL } from 'drizzle-orm';
import { arrayLiteral } from '../db/array-literal.js';

/** A tag or group the rows of a batch name that does not exist yet, with the id the check chose for it. */
export type PlannedName = { id: string; name: string };

/**
 * The tag names of a batch's rows (when fromRows) and the names typed on its options step that
 * match no tag of the organisation (ignoring case), one per name, spelled as typed or else as on
 * the first row that names it, each with a new id. Read over the distinct sets of names (a few),
 * not over every row's names.
 */
export function plannedTagsSql(batchId: string, organisationId: string, input: { fromRows: boolean; typed: string[] }): SQL {
  return sql`
    with sets as (
      select tag_names, min(row_number) as first_row from import_rows
      where ${input.fromRows} and batch_id = ${batchId} and problem is null and cardinality(tag_names) > 0 group by tag_names),
    named as (
      select t.name, 0 as first_row, t.k from unnest(${arrayLiteral(input.typed)}::text[]) with ordinality as t(name, k)
      union all
      select n.name, s.first_row, n.k from sets s cross join lateral unnest(s.tag_names) with ordinality as n(name, k)),
    names as (select distinct on (lower(name)) name from named order by lower(name), first_row, k)
    select coalesce(jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'name', n.name) order by lower(n.name)), '[]'::jsonb) as planned
    from names n
    where not exists (select 1 from tags t where t.organisation_id = ${organisationId} and lower(t.name) = lower(n.name))`;
}

/** The tags the typed names stand for: existing ones, or those the import will create. */
export function typedTagIdsSql(batchId: string, organisationId: string, typed: string[]): SQL {
  return sql`
    select k.id from (select id, name from tags where organisation_id = ${organisationId} union all ${plannedRowsSql('new_tags', batchId)}) k
    where lower(k.name) = any(array(select lower(t) from unnest(${arrayLiteral(typed)}::text[]) t))`;
}

/** The same for the Group column: group names that match no group of the organisation. */
export function plannedGroupsSql(batchId: string, organisationId: string): SQL {
  return sql`
    with names as (
      select distinct on (lower(group_name)) group_name as name from import_rows
      where batch_id = ${batchId} and problem is null and group_name is not null
      order by lower(group_name), row_number)
    select coalesce(jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'name', n.name) order by lower(n.name)), '[]'::jsonb) as planned
    from names n
    where not exists (select 1 from groups g where g.organisation_id = ${organisationId} and lower(g.name) = lower(n.name))`;
}

/** The planned names as rows (id, name), for joining beside the existing tags or groups. */
export function plannedRowsSql(column: 'new_tags' | 'new_groups', batchId: string): SQL {
  return sql`select (p->>'id')::uuid as id, p->>'name' as name
    from import_batches b cross join lateral jsonb_array_elements(b.${sql.raw(column)}) p where b.id = ${batchId}`;
}

/**
 * Keeps only the planned names that a row the import will apply uses (a row skipped for another
 * reason, or an existing account left as it is, creates nothing), and the typed ones, asked for by
 * name. One pass over the batch's rows.
 */
export function prunePlannedSql(batchId: string, applies: { group: SQL; tags: SQL }, typed: string[]): SQL {
  return sql`
    with used_tags as (
      select distinct u.id from import_rows r cross join lateral unnest(r.tag_ids) u(id)
      where r.batch_id = ${batchId} and ${applies.tags}),
    used_groups as (
      select distinct r.group_id as id from import_rows r where r.batch_id = ${batchId} and r.group_id is not null and ${applies.group})
    update import_batches b set
      new_tags = coalesce((select jsonb_agg(p order by lower(p->>'name')) from jsonb_array_elements(b.new_tags) p
        where (p->>'id')::uuid in (select id from used_tags) or lower(p->>'name') = any(array(select lower(t) from unnest(${arrayLiteral(typed)}::text[]) t))), '[]'::jsonb),
      new_groups = coalesce((select jsonb_agg(p order by lower(p->>'name')) from jsonb_array_elements(b.new_groups) p where (p->>'id')::uuid in (select id from used_groups)), '[]'::jsonb)
    where b.id = ${batchId}`;
}

/**
 * Creates the planned tags that still do not exist, with their planned ids. The unique index on
 * (organisation, lower(name)) makes a rerun (a killed and resumed import) or a tag made by
 * someone else meanwhile create nothing. Returns the tags it created.
 */
export function createPlannedTagsSql(batchId: string, organisationId: string): SQL {
  return sql`
    insert into tags (id, organisation_id, name)
    select p.id, ${organisationId}, p.name from (${plannedRowsSql('new_tags', batchId)}) p
    on conflict do nothing returning id, name`;
}

export function createPlannedGroupsSql(batchId: string, organisationId: string): SQL {
  return sql`
    insert into groups (id, organisation_id, name)
    select p.id, ${organisationId}, p.name from (${plannedRowsSql('new_groups', batchId)}) p
    on conflict do nothing returning id, name`;
}

/**
 * Planned names that someone else created between the check and the run (so under another id):
 * the planned id, and the id of the tag or group that now holds the name.
 */
export function takenPlannedSql(table: 'tags' | 'groups', batchId: string, organisationId: string): SQL {
  const column = table === 'tags' ? 'new_tags' : 'new_groups';
  return sql`
    select p.id as planned_id, t.id as actual_id from (${plannedRowsSql(column, batchId)}) p
    join ${sql.raw(table)} t on t.organisation_id = ${organisationId} and lower(t.name) = lower(p.name) and t.id <> p.id`;
}
