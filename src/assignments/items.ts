import * as v from 'valibot';

const uuid = v.pipe(v.string(), v.uuid());

/**
 * One product in a preset or a custom assignment: its edition, and either a Subscription (a
 * period of access to every unit) or Assign Manually (the chosen units).
 */
export const AssignmentItemSchema = v.variant('mode', [
  v.object({
    productId: uuid,
    edition: v.picklist(['standard', 'enhanced']),
    mode: v.literal('subscription'),
    /** The first day of access; null means the day the assignment is made. */
    startsOn: v.optional(v.nullable(v.pipe(v.string(), v.isoDate())), null),
    months: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(36)),
  }),
  v.object({
    productId: uuid,
    edition: v.picklist(['standard', 'enhanced']),
    mode: v.literal('manual'),
    unitIds: v.pipe(v.array(uuid), v.minLength(1, 'Choose at least one unit.')),
  }),
]);

export type AssignmentItem = v.InferOutput<typeof AssignmentItemSchema>;

export const AssignmentItemsSchema = v.pipe(v.array(AssignmentItemSchema), v.minLength(1, 'Add at least one product.'));

export function parseAssignmentItems(raw: unknown): AssignmentItem[] {
  return v.parse(AssignmentItemsSchema, raw);
}

export function includesSubscription(items: AssignmentItem[]): boolean {
  return items.some((i) => i.mode === 'subscription');
}
