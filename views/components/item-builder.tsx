/**
 * The product list of a custom assignment or a preset: each added product with its edition and
 * either Subscription (start, length) or Assign Manually (units), then a product drop-down with
 * Add Product. Every button posts the whole form, so nothing typed is lost and no script is needed.
 */
export interface BuilderProduct {
  id: string;
  name: string;
  editions: string[];
  subscriptionMonths: number[];
  units: { id: string; name: string }[];
}

export interface BuilderItem {
  productId: string;
  edition: string;
  mode: 'subscription' | 'manual';
  months: number;
  startsOn: string;
  unitIds: string[];
}

const EDITION_LABEL: Record<string, string> = { standard: 'Standard', enhanced: 'Enhanced' };

/** Add Product and Remove post the whole form; with htmx only the builder is swapped, so the page stays where it was. */
function inPlace(postTo: string) {
  return { 'hx-post': postTo, 'hx-target': '#items', 'hx-select': '#items', 'hx-swap': 'outerHTML' };
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <span class="error" id={id}>
      {text}
    </span>
  ) : null;
}

export function ItemBuilder(props: {
  products: BuilderProduct[];
  editions: string[];
  items: BuilderItem[];
  /** The form's action: Add Product and Remove post there. */
  postTo: string;
  /** Problems by field: `items`, `item-N-units`, `item-N-starts`. */
  errors?: Record<string, string>;
}) {
  const byId = new Map(props.products.map((p) => [p.id, p]));
  const available = props.products.filter((p) => !props.items.some((i) => i.productId === p.id));
  const errors = props.errors ?? {};
  return (
    <div class="item-builder" id="items">
      <FieldError id="items-error" text={errors.items} />
      {props.items.map((item, n) => {
        const product = byId.get(item.productId);
        if (!product) return null;
        const editions = props.editions.filter((e) => product.editions.includes(e));
        return (
          <fieldset class="card item">
            <legend>{product.name}</legend>
            <input type="hidden" name={`item-${n}-product`} value={product.id} />
            {editions.length > 1 ? (
              <fieldset class="field plain-fieldset">
                <legend>Edition</legend>
                <div class="choices inline">
                  {editions.map((e) => (
                    <label>
                      <input type="radio" name={`item-${n}-edition`} value={e} checked={item.edition === e} /> {EDITION_LABEL[e] ?? e}
                    </label>
                  ))}
                </div>
              </fieldset>
            ) : (
              <input type="hidden" name={`item-${n}-edition`} value={editions[0] ?? 'standard'} />
            )}
            <fieldset class="field plain-fieldset">
              <legend>How to assign</legend>
              <div class="choices">
                <label>
                  <input type="radio" name={`item-${n}-mode`} value="subscription" checked={item.mode === 'subscription'} /> Subscription
                  (access to every unit for a period)
                </label>
                <div class="sub">
                  <label for={`item-${n}-months`}>Length</label>{' '}
                  <select id={`item-${n}-months`} name={`item-${n}-months`}>
                    {product.subscriptionMonths.map((m) => (
                      <option value={String(m)} selected={item.months === m}>
                        {m} months
                      </option>
                    ))}
                  </select>{' '}
                  <label for={`item-${n}-starts`}>Start date</label>{' '}
                  <input
                    id={`item-${n}-starts`}
                    type="date"
                    name={`item-${n}-startsOn`}
                    value={item.startsOn}
                    aria-describedby={`item-${n}-starts-hint${errors[`item-${n}-starts`] ? ` item-${n}-starts-error` : ''}`}
                    aria-invalid={errors[`item-${n}-starts`] ? 'true' : undefined}
                  />
                  <FieldError id={`item-${n}-starts-error`} text={errors[`item-${n}-starts`]} />
                  <span class="hint" id={`item-${n}-starts-hint`}>
                    Leave empty to start on the day of the assignment.
                  </span>
                </div>
                <label>
                  <input type="radio" name={`item-${n}-mode`} value="manual" checked={item.mode === 'manual'} /> Assign Manually (choose
                  units)
                </label>
                <div class="sub choices">
                  <FieldError id={`item-${n}-units-error`} text={errors[`item-${n}-units`]} />
                  {product.units.map((u, k) => (
                    <label>
                      <input
                        type="checkbox"
                        id={k === 0 ? `item-${n}-units` : undefined}
                        name={`item-${n}-units`}
                        value={u.id}
                        checked={item.unitIds.includes(u.id)}
                        aria-describedby={errors[`item-${n}-units`] ? `item-${n}-units-error` : undefined}
                      />{' '}
                      {u.name}
                    </label>
                  ))}
                </div>
              </div>
            </fieldset>
            <button class="btn secondary" type="submit" name="action" value={`remove-${n}`} {...inPlace(props.postTo)}>
              Remove {product.name}
            </button>
          </fieldset>
        );
      })}
      {available.length > 0 ? (
        <div class="field add-product">
          <label for="addProductId">{props.items.length ? 'Add another product' : 'Product'}</label>
          <div class="inline-controls">
            <select id="addProductId" name="addProductId">
              {available.map((p) => (
                <option value={p.id}>{p.name}</option>
              ))}
            </select>
            <button class="btn secondary" type="submit" name="action" value="add" {...inPlace(props.postTo)}>
              Add Product
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

export function describeItems(
  items: { productName: string; edition: string; mode: string; months: number | null; startsOn: string | null; unitNames: string[] }[],
): string[] {
  return items.map((i) => {
    const edition = EDITION_LABEL[i.edition] ?? i.edition;
    if (i.mode === 'subscription') {
      return `${i.productName} (${edition}): Subscription, ${i.months} months${i.startsOn ? ` from ${i.startsOn}` : ' from the day it is assigned'}`;
    }
    return `${i.productName} (${edition}): Assign Manually, ${i.unitNames.join(', ')}`;
  });
}
