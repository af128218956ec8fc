import { CsrfField, EnterSubmits, ErrorSummary, Field, Notice } from '../components/form.js';
import { ItemBuilder, type BuilderItem, type BuilderProduct } from '../components/item-builder.js';

export function PresetsPage(props: { presets: { id: string; name: string; summary: string[] }[]; notice?: string | null }) {
  return (
    <>
      <div class="page-head">
        <h1>Preset Assignments</h1>
        <a class="btn" href="/assignments/presets/new">
          Create a Preset Assignment
        </a>
      </div>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p class="muted">A Preset Assignment is a named set of products with their options, ready to give to many accounts at once.</p>
      {props.presets.length === 0 ? (
        <p>You do not have any Preset Assignments yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Preset Assignments</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Products</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.presets.map((p) => (
                <tr>
                  <th scope="row">
                    <a href={`/assignments/presets/${p.id}`}>{p.name}</a>
                  </th>
                  <td>
                    <ul class="plain">
                      {p.summary.map((s) => (
                        <li>{s}</li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <a class="btn secondary" href={`/assignments/presets/${p.id}/delete`} aria-label={`Delete ${p.name}`}>
                      Delete
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function PresetEditorPage(props: {
  csrfToken: string;
  presetId: string | null;
  name: string;
  items: BuilderItem[];
  products: BuilderProduct[];
  editions: string[];
  error?: string | null;
  fields?: Record<string, string>;
  /** The Assign page this editor was opened from, to go back to. */
  returnTo?: string | null;
}) {
  const fields = props.fields ?? {};
  const action = props.presetId ? `/assignments/presets/${props.presetId}` : '/assignments/presets/new';
  const back = props.returnTo ?? '/assignments/presets';
  return (
    <>
      <p>
        <a href={back}>{props.returnTo ? 'Back to Assign' : 'Back to Preset Assignments'}</a>
      </p>
      <h1>{props.presetId ? 'Edit Preset Assignment' : 'Create a Preset Assignment'}</h1>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <form method="post" action={action} class="card">
        <EnterSubmits action="save" />
        <CsrfField token={props.csrfToken} />
        {props.returnTo ? <input type="hidden" name="return" value={props.returnTo} /> : null}
        {props.returnTo ? <p class="muted small">When you save it, you go back to your assignment with this preset chosen.</p> : null}
        <Field name="name" label="Name" value={props.name} error={fields.name} maxlength={120} required />
        <ItemBuilder products={props.products} editions={props.editions} items={props.items} postTo={action} errors={fields} />
        <div class="actions">
          <button class="btn" type="submit" name="action" value="save">
            Save Preset Assignment
          </button>
          <a href={back}>Cancel</a>
        </div>
      </form>
    </>
  );
}

export function PresetDeletePage(props: { csrfToken: string; id: string; name: string; summary: string[] }) {
  return (
    <>
      <p>
        <a href="/assignments/presets">Back to Preset Assignments</a>
      </p>
      <h1>Delete the Preset Assignment "{props.name}"?</h1>
      <div class="card">
        <ul class="plain">
          {props.summary.map((s) => (
            <li>{s}</li>
          ))}
        </ul>
        <p>It can no longer be chosen for new assignments. Assignments already made with it, and their results, are kept.</p>
        <form method="post" action={`/assignments/presets/${props.id}/delete`} class="actions">
          <CsrfField token={props.csrfToken} />
          <button class="btn danger" type="submit">
            Delete Preset Assignment
          </button>
          <a href="/assignments/presets">Cancel</a>
        </form>
      </div>
    </>
  );
}
