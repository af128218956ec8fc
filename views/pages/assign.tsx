import type { AssignmentPlan } from '../../src/assignments/plan.js';
import { countOf, formatNumber } from '../format.js';
import { CsrfField, EnterSubmits, ErrorSummary, Notice } from '../components/form.js';
import { describeItems, ItemBuilder, type BuilderItem, type BuilderProduct } from '../components/item-builder.js';
import { SimplePager } from '../components/pager.js';

export interface PresetChoice {
  id: string;
  name: string;
  summary: string[];
}

export interface AssignOptionsProps {
  csrfToken: string;
  selectionId: string;
  accounts: number;
  presets: PresetChoice[];
  products: BuilderProduct[];
  editions: string[];
  mayReassign: boolean;
  mode: 'assign' | 'reassign' | 'renew';
  items: BuilderItem[];
  presetError?: string | null;
  customError?: string | null;
  /** The Custom Assignment's problems by field (item-N-units, item-N-starts, items), summarised at the top. */
  customFields?: Record<string, string>;
  /** The preset to have chosen (one just created from here). */
  chosenPresetId?: string | null;
  notice?: string | null;
}

export function AssignOptionsPage(props: AssignOptionsProps) {
  const newPresetHref = `/assignments/presets/new?return=${encodeURIComponent(`/assign/${props.selectionId}`)}`;
  const chosen = props.presets.some((p) => p.id === props.chosenPresetId) ? props.chosenPresetId : props.presets[0]?.id;
  return (
    <>
      <p>
        <a href="/accounts">Back to View Accounts</a>
      </p>
      <h1>Assign</h1>
      <ErrorSummary message={props.customError ?? null} fields={props.customFields ?? {}} />
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p>
        You are making an assignment to <b>{countOf(props.accounts, 'account', 'accounts')}</b>. Accounts that were already given a product
        are not given it again: no credits are used for them and their progress is kept.
      </p>

      <section class="card" aria-labelledby="preset-heading">
        <h2 id="preset-heading">Using a Preset Assignment</h2>
        {props.presetError ? <Notice kind="bad">{props.presetError}</Notice> : null}
        {props.presets.length === 0 ? (
          <p>
            You do not have any Preset Assignments yet. <a href={newPresetHref}>Create a new Preset Assignment</a>, or make a Custom
            Assignment below.
          </p>
        ) : (
          <form method="get" action={`/assign/${props.selectionId}/verify`}>
            <fieldset class="field">
              <legend>Choose from your list of Preset Assignments</legend>
              <div class="choices">
                {props.presets.map((p) => (
                  <label class="preset-choice">
                    <input type="radio" name="presetId" value={p.id} checked={p.id === chosen} />
                    <span>
                      <b>{p.name}</b>
                      <span class="muted small"> {p.summary.join(' · ')}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
            <p class="small">
              <a href={newPresetHref}>Create a new Preset Assignment</a>
            </p>
            <button class="btn" type="submit">
              Continue
            </button>
          </form>
        )}
      </section>

      <section class="card" aria-labelledby="custom-heading">
        <h2 id="custom-heading">Custom Assignment</h2>
        <form method="post" action={`/assign/${props.selectionId}/custom`}>
          <EnterSubmits action="continue" />
          <CsrfField token={props.csrfToken} />
          {props.mayReassign ? (
            <fieldset class="field">
              <legend>What kind of assignment is this?</legend>
              <div class="choices">
                <label>
                  <input type="radio" name="assignMode" value="assign" checked={props.mode === 'assign'} /> A new assignment
                </label>
                <label>
                  <input type="radio" name="assignMode" value="reassign" checked={props.mode === 'reassign'} /> A re-assignment (completed
                  units start again; the earlier attempt is kept as history)
                </label>
                <label>
                  <input type="radio" name="assignMode" value="renew" checked={props.mode === 'renew'} /> Renewing a subscription (an
                  expired subscription is extended; progress is kept)
                </label>
              </div>
            </fieldset>
          ) : (
            <input type="hidden" name="assignMode" value="assign" />
          )}
          <p class="muted small">Choose a product from the drop-down and select Add Product, then choose how to assign it.</p>
          <ItemBuilder
            products={props.products}
            editions={props.editions}
            items={props.items}
            postTo={`/assign/${props.selectionId}/custom`}
            errors={props.customFields ?? {}}
          />
          <div class="actions">
            <button class="btn" type="submit" name="action" value="continue">
              Continue
            </button>
          </div>
        </form>
      </section>
    </>
  );
}

/** The plan as the feature returns it, with what the page adds. */
export interface AssignVerifyProps extends AssignmentPlan {
  csrfToken: string;
  selectionId: string;
  /** Query string that reproduces this plan (presetId=… or custom=1). */
  source: string;
  presetId: string | null;
  error?: string | null;
  fields?: Record<string, string>;
}

const OUTCOME_TEXT: Record<string, string> = {
  assign: 'Will be assigned',
  renew: 'Will be renewed',
  reassign: 'Will be re-assigned',
  skip: 'Skipped',
};
const MODE_TEXT: Record<string, string> = { assign: 'New assignment', reassign: 'Re-assignment', renew: 'Renewing a subscription' };

export function AssignVerifyPage(props: AssignVerifyProps) {
  const toAssign = props.newAssignments + props.renewals + props.reassignments;
  const base = `/assign/${props.selectionId}/verify?${props.source}`;
  const fields = props.fields ?? {};
  return (
    <>
      <p>
        <a href={`/assign/${props.selectionId}`}>Back to the assignment options</a>
      </p>
      <h1>Verify the assignment</h1>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <div class="card">
        <h2>{props.presetName ? `Preset Assignment: ${props.presetName}` : 'Custom Assignment'}</h2>
        <p class="muted">{MODE_TEXT[props.mode]}</p>
        <ul>
          {describeItems(props.items).map((d) => (
            <li>{d}</li>
          ))}
        </ul>
        <p>
          <span class="stat">
            <b>{formatNumber(props.accounts)}</b> accounts
          </span>
          <span class="stat">
            <b>{formatNumber(props.newAssignments + props.renewals + props.reassignments)}</b> to assign
          </span>
          <span class="stat">
            <b>{formatNumber(props.skipped)}</b> skipped
          </span>
          <span class="stat">
            <b>{formatNumber(props.creditsNeeded)}</b> credits needed
          </span>
          <span class="stat">
            <b>{formatNumber(props.creditsBalance)}</b> credits available
          </span>
        </p>
        {!props.enoughCredits ? (
          <Notice kind="bad">
            Not enough credits: this assignment needs {formatNumber(props.creditsNeeded)} credits and your organisation has{' '}
            {formatNumber(props.creditsBalance)}. Choose fewer accounts or products, or buy more credits.
          </Notice>
        ) : null}
      </div>

      <div class="table-wrap">
        <table class="stack">
          <caption class="sr-only">
            What each account will get, page {props.page} of {props.pageCount}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">What happens</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <th scope="row">{r.name}</th>
                <td data-label="Email">{r.email}</td>
                <td data-label="What happens">
                  <ul class="plain">
                    {r.products.map((p) => (
                      <li>
                        <span class={p.outcome === 'skip' ? 'status-warn' : 'status-ok'}>{OUTCOME_TEXT[p.outcome]}</span>: {p.productName}
                        {p.reason ? <span class="muted small"> — {p.reason}</span> : null}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SimplePager page={props.page} pageCount={props.pageCount} href={(n) => `${base}&page=${n}`} />

      {toAssign === 0 ? (
        <Notice kind="warn">
          Nothing will be assigned: every account above is skipped, for the reason shown beside it.{' '}
          <a href={`/assign/${props.selectionId}`}>Change the assignment</a> or <a href="/accounts">choose other accounts</a>.
        </Notice>
      ) : (
        <form method="post" action={`/assign/${props.selectionId}/confirm`} class="card">
          <CsrfField token={props.csrfToken} />
          {props.presetId ? (
            <input type="hidden" name="presetId" value={props.presetId} />
          ) : (
            <input type="hidden" name="custom" value="1" />
          )}
          {props.includesSubscription ? (
            <div class="field" id="confirmSubscription">
              {fields.confirmSubscription ? <span class="error">{fields.confirmSubscription}</span> : null}
              <label class="inline">
                <input type="checkbox" name="confirmSubscription" value="1" required /> I am making a subscription assignment, and I
                understand it can't be undone.
              </label>
            </div>
          ) : null}
          <button class="btn" type="submit" disabled={!props.enoughCredits}>
            Confirm Assignment
          </button>
        </form>
      )}
    </>
  );
}
