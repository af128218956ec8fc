import * as v from 'valibot';
import type { Product } from '../assignments/catalogue.js';
import type { AssignmentItem } from '../assignments/items.js';
import { planItems } from '../assignments/plan.js';
import { describeItems, type BuilderItem } from '../../views/components/item-builder.js';
import { list, text } from './input/schemas.js';

const MAX_ITEMS = 20;

function itemFields(n: number) {
  return {
    [`item-${n}-product`]: text('A product'),
    [`item-${n}-edition`]: text('An edition'),
    [`item-${n}-mode`]: text('A way to assign'),
    [`item-${n}-months`]: text('A length', { max: 10 }),
    [`item-${n}-startsOn`]: text('A start date', { max: 40 }),
    [`item-${n}-units`]: list(text('A unit')),
  };
}

/** The item builder's fields (item-0-…, item-1-…) and its buttons, as the input layer reads them. */
export const BuilderForm = v.object({
  ...Object.assign({}, ...Array.from({ length: MAX_ITEMS }, (_, n) => itemFields(n))),
  action: text('The button'),
  addProductId: text('The product to add'),
} as Record<string, ReturnType<typeof text> | ReturnType<typeof list>> & {
  action: ReturnType<typeof text>;
  addProductId: ReturnType<typeof text>;
});

type BuilderValues = Record<string, string | string[] | undefined>;

/** The products as the item builder posted them, whatever was changed on the page. */
export function readBuilderItems(form: BuilderValues): BuilderItem[] {
  const one = (name: string) => {
    const value = form[name];
    return typeof value === 'string' ? value : '';
  };
  const items: BuilderItem[] = [];
  for (let n = 0; n < MAX_ITEMS; n++) {
    const productId = one(`item-${n}-product`);
    if (!productId) break;
    const units = form[`item-${n}-units`];
    items.push({
      productId,
      edition: one(`item-${n}-edition`) || 'standard',
      mode: one(`item-${n}-mode`) === 'manual' ? 'manual' : 'subscription',
      months: Number.parseInt(one(`item-${n}-months`), 10) || 0,
      startsOn: one(`item-${n}-startsOn`),
      unitIds: Array.isArray(units) ? units : [],
    });
  }
  return items;
}

/** Applies Add Product or Remove to the posted items. Returns null for any other action. */
export function applyBuilderAction(
  items: BuilderItem[],
  action: string,
  addProductId: string,
  products: Product[],
  editions: string[],
): BuilderItem[] | null {
  if (action === 'add') {
    const product = products.find((p) => p.id === addProductId);
    if (!product || items.some((i) => i.productId === product.id) || items.length >= MAX_ITEMS) return items;
    const edition = editions.find((e) => product.editions.includes(e)) ?? 'standard';
    return [
      ...items,
      { productId: product.id, edition, mode: 'subscription', months: product.subscriptionMonths[0] ?? 12, startsOn: '', unitIds: [] },
    ];
  }
  const remove = /^remove-(\d+)$/.exec(action);
  if (remove) return items.filter((_, n) => n !== Number(remove[1]));
  return null;
}

/** The posted items in the engine's shape; the engine validates them. */
export function toAssignmentItems(items: BuilderItem[]): AssignmentItem[] {
  return items.map((i) =>
    i.mode === 'manual'
      ? { productId: i.productId, edition: i.edition as AssignmentItem['edition'], mode: 'manual', unitIds: i.unitIds }
      : {
          productId: i.productId,
          edition: i.edition as AssignmentItem['edition'],
          mode: 'subscription',
          startsOn: i.startsOn || null,
          months: i.months,
        },
  );
}

export function fromAssignmentItems(items: AssignmentItem[]): BuilderItem[] {
  return items.map((i) =>
    i.mode === 'manual'
      ? { productId: i.productId, edition: i.edition, mode: 'manual', months: 0, startsOn: '', unitIds: i.unitIds }
      : { productId: i.productId, edition: i.edition, mode: 'subscription', months: i.months, startsOn: i.startsOn ?? '', unitIds: [] },
  );
}

/** A preset's products in words, one line each; products since taken out of the catalogue are left out. */
export function describePresetItems(items: AssignmentItem[], products: Product[]): string[] {
  return describeItems(
    planItems(
      items.filter((i) => products.some((x) => x.id === i.productId)),
      products,
    ),
  );
}
