import * as v from 'valibot';
import { sql } from 'drizzle-orm';
import { arrayLiteral } from '../db/array-literal.js';
import type { Ctx, Services } from '../context.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { recordAudit } from '../audit.js';
import { AssignmentItemSchema, type AssignmentItem } from './items.js';

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
        editions = ${arrayLiteral(editions)}::text[]
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

/**
 * What is wrong with posted items that do not parse, per field, in words that name the product and
 * the fix: `item-N-units` (Assign Manually without a unit), `item-N-starts` (a start date that is not
 * a date), `items` (no product at all, or anything else).
 */
export function unparsedItemProblems(raw: unknown, products: Product[]): Record<string, string> {
  if (!Array.isArray(raw) || raw.length === 0)
    return { items: 'Add at least one product: choose it in the drop-down and select Add Product.' };
  const names = new Map(products.map((p) => [p.id, p.name]));
  const problems: Record<string, string> = {};
  raw.forEach((item: Record<string, unknown> | null, n) => {
    if (v.safeParse(AssignmentItemSchema, item).success) return;
    const name = names.get(String(item?.productId)) ?? `Product ${n + 1}`;
    if (item?.mode === 'manual' && (!Array.isArray(item.unitIds) || item.unitIds.length === 0)) {
      problems[`item-${n}-units`] = `${name}: Assign Manually needs at least one unit. Tick the units to assign, or choose Subscription.`;
    } else if (
      item?.mode === 'subscription' &&
      item.startsOn != null &&
      !v.safeParse(v.pipe(v.string(), v.isoDate()), item.startsOn).success
    ) {
      problems[`item-${n}-starts`] =
        `${name}: the start date is not a date. Pick one, or leave it empty to start on the day of the assignment.`;
    } else {
      problems.items = `${name}: choose its edition and how to assign it.`;
    }
  });
  return Object.keys(problems).length ? problems : { items: 'Add at least one product, with its options.' };
}

// The demo catalogue is seed data; it lives with the other seed data.
export { seedDemoCatalogue } from '../db/seed-catalogue.js';
