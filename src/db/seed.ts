import type { Services } from '../context.js';
import { randomToken } from '../crypto-tokens.js';
import { seedDemoCatalogue } from './seed-catalogue.js';

const FIRST = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Olivia',
  'Mateo',
  'Sofia',
  'Ethan',
  'Mia',
  'Lucas',
  'Amara',
  'Kai',
  'Zara',
  'Omar',
  'Priya',
  'Diego',
  'Hana',
  'Jonah',
  'Leila',
  'Nia',
  'Ravi',
  'Chloe',
  'Felix',
  'Ines',
  'Malik',
  'Yuki',
  'Elena',
  'Theo',
  'Aisha',
  'Samuel',
];
const LAST = [
  'Garcia',
  'Nguyen',
  'Smith',
  'Johnson',
  'Okafor',
  'Patel',
  'Kim',
  'Martinez',
  'Brown',
  'Rossi',
  'Haddad',
  'Silva',
  'Cohen',
  'Novak',
  'Tanaka',
  'Mensah',
  'Lopez',
  'Walker',
  'Khan',
  'Dubois',
  'Murphy',
  'Ivanova',
  'Fischer',
  'Reyes',
  'Lee',
  'Adams',
  'Moreau',
  'Chen',
  'Ali',
  'Hughes',
];

export interface SeedResult {
  organisationId: string;
  systemAdminEmail: string;
  /** The password every seeded account signs in with. */
  password: string;
  accounts: number;
}

/**
 * Creates an organisation with groups, tags, an administrator per group, a system administrator
 * and `accounts` learner accounts, in a handful of set-based statements (100k in seconds).
 * One password for all, hashed once.
 */
export async function seedOrganisation(
  services: Services,
  options: { name: string; domain: string; accounts: number; password?: string; credits?: number },
): Promise<SeedResult> {
  const password = options.password ?? randomToken(9);
  const hash = await services.passwords.hash(password);
  const groupNames = ['Lincoln High', 'Roosevelt Middle', 'Washington Elementary', 'Adult Education'];
  const tagNames = ['Grade 9', 'Grade 10', 'Grade 11', 'Grade 12', 'IEP', 'Summer 2026'];
  const systemAdminEmail = `admin@${options.domain}`;
  const organisationId = await services.sql.begin(async (tx) => {
    const [org] = await tx<{ id: string }[]>`
      insert into organisations (name, credits_balance, welcome_email_enabled, editions)
      values (${options.name}, ${options.credits ?? 0}, true, '{standard,enhanced}') returning id`;
    const orgId = org!.id;
    if (options.credits) {
      await tx`insert into credit_ledger (organisation_id, delta, reason) values (${orgId}, ${options.credits}, 'Opening balance')`;
    }
    await tx`insert into groups (organisation_id, name) select ${orgId}, unnest(${groupNames}::text[])`;
    await tx`insert into tags (organisation_id, name) select ${orgId}, unnest(${tagNames}::text[])`;
    await tx`
      insert into accounts (organisation_id, kind, is_system_admin, first_name, last_name, email, password_hash, source)
      values (${orgId}, 'administrator', true, 'Sam', 'Rivera', ${systemAdminEmail}, ${hash}, 'seed')`;
    // One administrator per group, managing that group.
    await tx`
      with g as (select id, name, row_number() over (order by name) as n from groups where organisation_id = ${orgId}),
      a as (
        insert into accounts (organisation_id, kind, first_name, last_name, email, password_hash, group_id, source)
        select ${orgId}, 'administrator', 'Teacher', g.name,
               'teacher' || g.n || '@' || ${options.domain}, ${hash}, g.id, 'seed'
        from g returning id, group_id)
      insert into administrator_groups (account_id, group_id) select id, group_id from a`;
    // Learners spread over groups and names; every third one tagged.
    await tx`
      with g as (select array_agg(id order by name) as ids from groups where organisation_id = ${orgId}),
      s as (
        select i,
          (${FIRST}::text[])[1 + (i * 7) % ${FIRST.length}] as first_name,
          (${LAST}::text[])[1 + (i * 13 + i / ${FIRST.length}) % ${LAST.length}] as last_name
        from generate_series(1, ${options.accounts}) as i)
      insert into accounts (organisation_id, kind, first_name, last_name, email, password_hash, group_id, source)
      select ${orgId}, 'user', s.first_name, s.last_name,
             lower(s.first_name || '.' || s.last_name || s.i) || '@students.' || ${options.domain},
             ${hash}, g.ids[1 + s.i % array_length(g.ids, 1)], 'seed'
      from s, g`;
    await tx`
      with t as (select array_agg(id order by name) as ids from tags where organisation_id = ${orgId}),
      l as (select id, row_number() over (order by id) as n from accounts where organisation_id = ${orgId} and kind = 'user')
      insert into account_tags (account_id, tag_id)
      select l.id, t.ids[1 + l.n % array_length(t.ids, 1)] from l, t where l.n % 3 = 0`;
    return orgId;
  });
  return { organisationId, systemAdminEmail, password, accounts: options.accounts };
}

/** The demo organisation `npm start` creates on its first run; null when data already exists. */
export async function seedDemoIfEmpty(services: Services): Promise<SeedResult | null> {
  const [row] = await services.sql<{ n: number }[]>`select count(*)::int as n from organisations`;
  if ((row?.n ?? 0) > 0) return null;
  await seedDemoCatalogue(services);
  const seeded = await seedOrganisation(services, {
    name: 'Maple Grove School District',
    domain: 'maplegrove.test',
    accounts: 300,
    credits: 1000,
  });
  // One ready-made preset, so Using a Preset Assignment has something to choose on day one.
  await services.sql`
    insert into preset_assignments (organisation_id, name, items)
    select ${seeded.organisationId}, 'Career starter (12-month Workplace Readiness)',
      jsonb_build_array(jsonb_build_object('productId', p.id, 'edition', 'standard', 'mode', 'subscription', 'startsOn', null, 'months', 12))
    from products p where p.name = 'Workplace Readiness'`;
  return seeded;
}
