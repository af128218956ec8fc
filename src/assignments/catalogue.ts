import { sql } from 'drizzle-orm';
import type { Ctx, Services } from '../context.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { recordAudit } from '../audit.js';
import type { AssignmentItem } from './items.js';

export interface ProductUnit {
  id: string;
  name: string;
  position: number;
}

export interface Product {
  id: string;
  name: string;
  description: string;
  creditCost: number;
  editions: string[];
  subscriptionMonths: number[];
  units: ProductUnit[];
}

/** The catalogue, with each product's units in order. */
export async function listProducts(services: Pick<Services, 'db'>): Promise<Product[]> {
  return services.db.execute<Product & Record<string, unknown>>(sql`
    select p.id, p.name, p.description, p.credit_cost as "creditCost", p.editions, p.subscription_months as "subscriptionMonths",
      coalesce((select json_agg(json_build_object('id', u.id, 'name', u.name, 'position', u.position) order by u.position)
                from product_units u where u.product_id = p.id), '[]'::json) as units
    from products p order by p.position, p.name`);
}

export interface OrganisationSettings {
  name: string;
  creditsBalance: number;
  mayReassignCompleted: boolean;
  welcomeEmailEnabled: boolean;
  editions: string[];
}

export async function getOrganisationSettings(ctx: Ctx): Promise<OrganisationSettings> {
  const [row] = await ctx.db.execute<OrganisationSettings & Record<string, unknown>>(sql`
    select name, credits_balance as "creditsBalance", may_reassign_completed as "mayReassignCompleted",
      welcome_email_enabled as "welcomeEmailEnabled", editions
    from organisations where id = ${ctx.actor.organisationId}`);
  return row!;
}

/** System administrators change the organisation's settings; each change is audited. */
export async function updateOrganisationSettings(
  ctx: Ctx,
  input: { mayReassignCompleted: boolean; welcomeEmailEnabled: boolean; editions: string[] },
): Promise<void> {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError('Only system administrators can change the organisation settings.');
  const editions = [...new Set(input.editions)].filter((e) => e === 'standard' || e === 'enhanced');
  if (editions.length === 0) throw new ValidationError('The settings were not saved.', { editions: 'Keep at least one edition.' });
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`
      update organisations set may_reassign_completed = ${input.mayReassignCompleted}, welcome_email_enabled = ${input.welcomeEmailEnabled},
        editions = ${`{${editions.join(',')}}`}::text[]
      where id = ${ctx.actor.organisationId}`);
    await recordAudit(tx, ctx.actor, 'organisation.settings_changed', { details: { ...input, editions } });
  });
}

/**
 * Checks items against the catalogue and the organisation's editions: the product exists, the
 * edition is one the organisation has and the product comes in, the subscription length is
 * offered, and manual units belong to the product. Returns the messages, keyed by item index.
 */
export function itemProblems(items: AssignmentItem[], products: Product[], organisationEditions: string[]): string[] {
  const problems: string[] = [];
  const byId = new Map(products.map((p) => [p.id, p]));
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const product = byId.get(item.productId);
    if (!product) {
      problems.push(`Product ${i + 1} is not in the catalogue any more.`);
      return;
    }
    if (seen.has(product.id)) problems.push(`${product.name} is in the list twice; keep it once.`);
    seen.add(product.id);
    if (!organisationEditions.includes(item.edition) || !product.editions.includes(item.edition)) {
      problems.push(`${product.name}: the ${item.edition} edition is not available to your organisation.`);
    }
    if (item.mode === 'subscription' && !product.subscriptionMonths.includes(item.months)) {
      problems.push(`${product.name}: choose a subscription length of ${product.subscriptionMonths.join(', ')} months.`);
    }
    if (item.mode === 'manual') {
      const units = new Set(product.units.map((u) => u.id));
      if (item.unitIds.some((u) => !units.has(u))) problems.push(`${product.name}: a chosen unit is not part of this product.`);
    }
  });
  return problems;
}

const DEMO_CATALOGUE: { name: string; description: string; cost: number; units: string[] }[] = [
  {
    name: 'Workplace Readiness',
    description: 'Soft skills for the first job: communication, teamwork, problem solving and work ethic.',
    cost: 1,
    units: ['Communication', 'Teamwork', 'Problem Solving', 'Work Ethic', 'Customer Service', 'Conflict Resolution'],
  },
  {
    name: 'Life Skills',
    description: 'Money, time, health and home: the skills of living on your own.',
    cost: 1,
    units: ['Managing Money', 'Time Management', 'Healthy Living', 'Cooking Basics', 'Renting a Home'],
  },
  {
    name: 'Career Exploration',
    description: 'Interests, values and the world of work, ending in a career plan.',
    cost: 2,
    units: ['Interests Inventory', 'Work Values', 'Career Clusters', 'Job Shadowing', 'My Career Plan'],
  },
  {
    name: 'Digital Literacy',
    description: 'Safe and effective use of computers, email and the web.',
    cost: 1,
    units: ['Computer Basics', 'Email Etiquette', 'Online Safety', 'Spreadsheets'],
  },
];

/** The demo catalogue, idempotently (existing products are left as they are). */
export async function seedDemoCatalogue(services: Pick<Services, 'sql'>): Promise<void> {
  await services.sql.begin(async (tx) => {
    for (const [i, p] of DEMO_CATALOGUE.entries()) {
      const [row] = await tx<{ id: string }[]>`
        insert into products (name, description, credit_cost, position) values (${p.name}, ${p.description}, ${p.cost}, ${i})
        on conflict (name) do nothing returning id`;
      if (!row) continue;
      await tx`insert into product_units (product_id, position, name) select ${row.id}, n, name from unnest(${p.units}::text[]) with ordinality as u(name, n)`;
    }
  });
}
