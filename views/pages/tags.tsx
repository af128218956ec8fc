import { NameForm, type NameFormState } from '../components/name-form.js';
import { countOf } from '../format.js';
import { CsrfField, ErrorSummary, Notice, SelectField } from '../components/form.js';

export interface TagRowView {
  id: string;
  name: string;
  accountCount: number;
}

type FormState = NameFormState;

const count = (n: number) => countOf(n, 'account');

/** Tags: any administrator creates them; system administrators also rename, merge and delete them. */
export function TagsPage(props: {
  csrfToken: string;
  isSystemAdmin: boolean;
  tags: TagRowView[];
  notice?: string | null;
  create?: FormState;
}) {
  const create = props.create ?? {};
  return (
    <>
      <h1>Tags</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p class="muted">Tags mark accounts across groups (a cohort, a period, a programme). An account can carry many tags.</p>
      {props.tags.length === 0 ? (
        <p>There are no tags yet. Create the first one below.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Tags</caption>
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Accounts</th>
                {props.isSystemAdmin ? (
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {props.tags.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <a href={`/accounts?tagId=${t.id}`}>{count(t.accountCount)}</a>
                  </td>
                  {props.isSystemAdmin ? (
                    <td>
                      <a href={`/tags/${t.id}`} aria-label={`Manage ${t.name}`}>
                        Manage
                      </a>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NameForm action="/tags" heading="Create Tag" label="Tag name" button="Create Tag" csrfToken={props.csrfToken} state={create} />
    </>
  );
}

/** One tag, for system administrators: rename, merge into another tag, or go to delete it. */
export function TagPage(props: {
  csrfToken: string;
  tag: TagRowView;
  otherTags: { id: string; name: string }[];
  notice?: string | null;
  rename?: FormState;
  merge?: FormState;
}) {
  const rename = props.rename ?? {};
  const merge = props.merge ?? {};
  return (
    <>
      <p>
        <a href="/tags">Back to Tags</a>
      </p>
      <h1>{props.tag.name}</h1>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <p>
        <a href={`/accounts?tagId=${props.tag.id}`}>{count(props.tag.accountCount)}</a> carry this tag.
      </p>
      <NameForm
        action={`/tags/${props.tag.id}/rename`}
        heading="Rename"
        label="Tag name"
        button="Rename Tag"
        csrfToken={props.csrfToken}
        state={rename}
        value={props.tag.name}
      />
      {props.otherTags.length > 0 ? (
        <form method="post" action={`/tags/${props.tag.id}/merge`} class="card narrow">
          <h2>Merge</h2>
          <ErrorSummary message={merge.error ?? null} fields={merge.fields ?? {}} />
          <CsrfField token={props.csrfToken} />
          <p>
            Every account with {props.tag.name} gets the tag you choose instead, and {props.tag.name} is removed.
          </p>
          <SelectField
            name="intoTagId"
            label="Merge into"
            options={props.otherTags.map((t) => ({ value: t.id, label: t.name }))}
            emptyLabel="Choose a tag"
            error={merge.fields?.intoTagId}
          />
          <button class="btn" type="submit">
            Merge Tag
          </button>
        </form>
      ) : null}
      <div class="card narrow">
        <h2>Delete</h2>
        <p>Deleting a tag removes it from every account; the accounts stay.</p>
        <a class="btn danger" href={`/tags/${props.tag.id}/delete`}>
          Delete Tag
        </a>
      </div>
    </>
  );
}

export function DeleteTagPage(props: { csrfToken: string; tag: TagRowView }) {
  return (
    <>
      <h1>Delete {props.tag.name}?</h1>
      <form method="post" action={`/tags/${props.tag.id}/delete`} class="card narrow">
        <CsrfField token={props.csrfToken} />
        <p>
          {props.tag.accountCount === 0
            ? 'No account carries this tag.'
            : `The tag is removed from ${count(props.tag.accountCount)}. No account is deleted.`}
        </p>
        <div class="actions">
          <button class="btn danger" type="submit">
            Delete Tag
          </button>
          <a href={`/tags/${props.tag.id}`}>Cancel</a>
        </div>
      </form>
    </>
  );
}
