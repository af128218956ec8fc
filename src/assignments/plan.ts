import type { Product } from './catalogue.js';
import type { AssignmentItem } from './items.js';

/** What a mass assignment gives and how, before it is requested: shared by the request, its rules and its results. */

/** Who gets the assignment: the accounts chosen on View Accounts, or ids from an import or a sync. */
export type AssignmentTargets = { kind: 'selection'; selectionId: string } | { kind: 'accounts'; accountIds: string[] };

/** assign: new products only. reassign: also reset completed units. renew: also extend expired subscriptions. */
export type AssignmentRequestMode = 'assign' | 'reassign' | 'renew';

export interface AssignmentPlanInput {
  targets: AssignmentTargets;
  presetId?: string | undefined;
  items?: AssignmentItem[] | undefined;
  mode?: AssignmentRequestMode | undefined;
}

/** An item with what a person needs to read about it. */
export interface PlannedItem {
  productId: string;
  productName: string;
  creditCost: number;
  edition: string;
  mode: 'subscription' | 'manual';
  months: number | null;
  startsOn: string | null;
  unitNames: string[];
}

export type PlannedOutcome = 'assign' | 'renew' | 'reassign' | 'skip';

export interface AssignmentPlan {
  accounts: number;
  items: PlannedItem[];
  presetName: string | null;
  mode: AssignmentRequestMode;
  newAssignments: number;
  renewals: number;
  reassignments: number;
  skipped: number;
  creditsNeeded: number;
  creditsBalance: number;
  enoughCredits: boolean;
  includesSubscription: boolean;
  page: number;
  pageCount: number;
  rows: {
    accountId: string;
    name: string;
    email: string;
    products: { productName: string; outcome: PlannedOutcome; reason: string | null }[];
  }[];
}

/** The items with the names and units a person reads, from the catalogue. */
export function planItems(items: AssignmentItem[], products: Product[]): PlannedItem[] {
  const byId = new Map(products.map((p) => [p.id, p]));
  return items.map((item) => {
    const product = byId.get(item.productId)!;
    const chosen = item.mode === 'manual' ? new Set(item.unitIds) : null;
    return {
      productId: product.id,
      productName: product.name,
      creditCost: product.creditCost,
      edition: item.edition,
      mode: item.mode,
      months: item.mode === 'subscription' ? item.months : null,
      startsOn: item.mode === 'subscription' ? item.startsOn : null,
      unitNames: product.units.filter((u) => !chosen || chosen.has(u.id)).map((u) => u.name),
    };
  });
}
