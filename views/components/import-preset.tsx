import { countOf, formatNumber } from '../format.js';
import { CsrfField, Notice } from './form.js';

export interface PresetCostView {
  presetId: string;
  presetName: string;
  credits: number;
  balance: number;
  payable: boolean;
}

export interface PresetChoiceView {
  id: string;
  name: string;
}

/** "Career starter: 2,500 credits; your organisation has 933", before Import Accounts. */
export function PresetCostLine({ cost }: { cost: PresetCostView }) {
  return (
    <p id="preset-cost">
      Preset Assignment <b>{cost.presetName}</b>: {countOf(cost.credits, 'credit')}; your organisation has {formatNumber(cost.balance)}.
    </p>
  );
}

/**
 * The preset's cost, and while the organisation cannot pay for it, the two ways on: another
 * preset, or the import without one. Import Accounts is not offered meanwhile.
 */
export function PresetCostCard(props: { cost: PresetCostView; presets: PresetChoiceView[]; csrfToken: string; batchId: string }) {
  const { cost } = props;
  return (
    <section class="card" aria-labelledby="preset-heading">
      <h2 id="preset-heading">Preset Assignment</h2>
      <PresetCostLine cost={cost} />
      {cost.payable ? (
        <p class="muted small">The credits are used when the import has finished and the preset is assigned.</p>
      ) : (
        <>
          <Notice kind="bad">
            Not enough credits for the preset: it needs {formatNumber(cost.credits)} and your organisation has {formatNumber(cost.balance)}.
            Choose another preset or import without it; the import cannot start until then.
          </Notice>
          <form method="post" action={`/imports/${props.batchId}/preset`} class="inline-form">
            <CsrfField token={props.csrfToken} />
            <label for="presetId">Preset Assignment</label>{' '}
            <select id="presetId" name="presetId">
              {props.presets.map((p) => (
                <option value={p.id} selected={p.id === cost.presetId}>
                  {p.name}
                </option>
              ))}
            </select>{' '}
            <button class="btn secondary" type="submit">
              Change the preset
            </button>
          </form>
          <form method="post" action={`/imports/${props.batchId}/preset`} class="inline-form">
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="presetId" value="" />
            <button class="btn secondary" type="submit">
              Import without the preset
            </button>
          </form>
        </>
      )}
    </section>
  );
}

export interface PresetOutcomeView {
  id: string;
  status: 'queued' | 'running' | 'finished' | 'failed';
  presetName: string | null;
  accounts: number;
  assignedCount: number;
  skippedCount: number;
  creditsSpent: number;
  error: string | null;
  tallies: { outcome: string; reason: string | null; count: number }[];
}

/** The import's preset, as it turned out: assigned, skipped (and why), or not made (and why). */
export function PresetOutcome({ request }: { request: PresetOutcomeView }) {
  const r = request;
  const name = r.presetName ?? 'The preset assignment';
  const link = <a href={`/assignments/requests/${r.id}`}>each account's outcome</a>;
  return (
    <section class="card" id="preset-outcome" aria-labelledby="preset-outcome-heading">
      <h2 id="preset-outcome-heading">Preset Assignment: {name}</h2>
      {r.status === 'failed' ? (
        <Notice kind="bad">Not made: {r.error ?? 'the assignment stopped.'}</Notice>
      ) : r.status !== 'finished' ? (
        <p>Being assigned to {countOf(r.accounts, 'account')}. Reload this page in a moment to see how it went.</p>
      ) : (
        <>
          <p>
            <b>{formatNumber(r.assignedCount)}</b> assigned, <b>{formatNumber(r.skippedCount)}</b> skipped,{' '}
            {countOf(r.creditsSpent, 'credit')} used.
          </p>
          {r.tallies.some((t) => t.outcome !== 'assigned') ? (
            <ul>
              {r.tallies
                .filter((t) => t.outcome !== 'assigned')
                .map((t) => (
                  <li>
                    {formatNumber(t.count)} {t.outcome}
                    {t.reason ? `: ${t.reason}` : ''}
                  </li>
                ))}
            </ul>
          ) : null}
        </>
      )}
      <p class="small">See {link}.</p>
    </section>
  );
}
