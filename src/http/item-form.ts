import type { Product } from '../assignments/catalogue.js';
import type { AssignmentItem } from '../assignments/items.js';
import { planItems } from '../assignments/request.js';
import { describeItems, type BuilderItem } from '../../views/components/item-builder.js';

type Form = { get(name: string): string; all(name: string): string[] };

const MAX_ITEMS = 20;

/** The products as the item builder posted them (item-0-…, item-1-…), whatever was changed on the page. */
export function readBuilderItems(form: Form): BuilderItem[] {
  const items: BuilderItem[] = [];
  for (let n = 0; n < MAX_ITEMS; n++) {
    const productId = form.get(`item-${n}-product`);
    if (!productId) break;
    items.push({
      productId,
      edition: form.get(`item-${n}-edition`) || 'standard',
      mode: form.get(`item-${n}-mode`) === 'manual' ? 'manual' : 'subscription',
      months: Number.parseInt(form.get(`item-${n}-months`), 10) || 0,
      startsOn: form.get(`item-${n}-startsOn`),
      unitIds: form.all(`item-${n}-units`),
    });
  }
  return items;
}

/** Applies Add Product or Remove to the posted items. Returns null for any other action. */
export function applyBuilderAction(items: BuilderItem[], action: string, addProductId: string, products: Product[], editions: string[]): BuilderItem[] | null {
  if (action === 'add') {
    const product = products.find((p) => p.id === addProductId);
    if (!product || items.some((i) => i.productId === product.id) || items.length >= MAX_ITEMS) return items;
    const edition = editions.find((e) => product.editions.includes(e)) ?? 'standard';
    return [...items, { productId: product.id, edition, mode: 'subscription', months: product.subscriptionMonths[0] ?? 12, startsOn: '', unitIds: [] }];
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
      : { productId: i.productId, edition: i.edition as AssignmentItem['edition'], mode: 'subscription', startsOn: i.startsOn || null, months: i.months },
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
  return describeItems(planItems(items.filter((i) => products.some((x) => x.id === i.productId)), products));
}
