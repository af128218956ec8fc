import { countOf } from '../format.js';
import { CsrfField, ErrorSummary, Notice, SelectField } from '../components/form.js';

export type BulkActionKindView = 'add-tag' | 'remove-tag' | 'move-group' | 'deactivate' | 'reactivate' | 'delete';

const HEADINGS: Record<BulkActionKindView, (n: string) => string> = {
  'add-tag': (n) => `Add a tag to ${n}`,
  'remove-tag': (n) => `Remove a tag from ${n}`,
  'move-group': (n) => `Move ${n} to a group`,
  deactivate: (n) => `Deactivate ${n}`,
  reactivate: (n) => `Reactivate ${n}`,
  delete: (n) => `Delete ${n}`,
};

const EXPLAINED: Record<BulkActionKindView, string> = {
  'add-tag': 'Accounts that already have the tag keep it once.',
  'remove-tag': 'Accounts without the tag are left as they are.',
  'move-group': 'Each account leaves its current group for the one you choose.',
  deactivate:
    'Deactivated accounts cannot sign in, are signed out everywhere now and are skipped by mass assign. Their assignments and progress are kept. Your own account is left as it is.',
  reactivate: 'Reactivated accounts can sign in again and take assignments.',
  delete:
    'Deleting an account also deletes its assignments and the progress on them, its tags and its sessions. This cannot be undone. Your own account is left as it is. To keep their work, deactivate the accounts instead.',
};

export const BULK_BUTTON: Record<BulkActionKindView, string> = {
  'add-tag': 'Add tag',
  'remove-tag': 'Remove tag',
  'move-group': 'Move to group',
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
  delete: 'Delete',
};

export function accountsWord(n: number): string {
  return countOf(n, 'account');
}

export function BulkConfirmPage(props: {
  csrfToken: string;
  selectionId: string;
  action: BulkActionKindView;
  accounts: number;
  tags: { id: string; name: string }[];
  groups: { id: string; name: string }[];
  backHref: string;
  error?: string | null;
  fields?: Record<string, string>;
}) {
  const fields = props.fields ?? {};
  const count = accountsWord(props.accounts);
  return (
    <>
      <h1>{HEADINGS[props.action](count)}</h1>
      <ErrorSummary message={props.error ?? null} fields={fields} />
      <Notice kind={props.action === 'delete' ? 'warn' : 'info'}>
        This changes the {count} you selected. {EXPLAINED[props.action]}
      </Notice>
      <form method="post" action={`/accounts/bulk/${props.selectionId}/${props.action}`}>
        <CsrfField token={props.csrfToken} />
        {props.action === 'add-tag' || props.action === 'remove-tag' ? (
          <SelectField
            name="tagId"
            label="Tag"
            emptyLabel="Choose a tag"
            options={props.tags.map((t) => ({ value: t.id, label: t.name }))}
            error={fields.tagId}
          />
        ) : null}
        {props.action === 'move-group' ? (
          <SelectField
            name="groupId"
            label="Group"
            emptyLabel="Choose a group"
            options={props.groups.map((g) => ({ value: g.id, label: g.name }))}
            error={fields.groupId}
          />
        ) : null}
        <button class={props.action === 'delete' ? 'btn danger' : 'btn'} type="submit">
          Confirm: {BULK_BUTTON[props.action]} ({count})
        </button>{' '}
        <a href={props.backHref}>Back to View Accounts</a>
      </form>
    </>
  );
}

export interface BulkActionView {
  id: string;
  action: BulkActionKindView;
  targetName: string | null;
  status: 'queued' | 'running' | 'finished' | 'failed';
  accounts: number;
  changedCount: number;
  skippedCount: number;
  error: string | null;
}

const DONE: Record<BulkActionKindView, string> = {
  'add-tag': 'got the tag',
  'remove-tag': 'lost the tag',
  'move-group': 'moved',
  deactivate: 'deactivated',
  reactivate: 'reactivated',
  delete: 'deleted',
};

/** The live part of a bulk action's page: htmx polls it every 2 seconds until the work has ended. */
export function BulkProgress({ bulk }: { bulk: BulkActionView }) {
  const working = bulk.status === 'queued' || bulk.status === 'running';
  return (
    <div
      id="bulk-progress"
      {...(working ? { 'hx-get': `/accounts/bulk-actions/${bulk.id}/progress`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {})}
      role="status"
      aria-live="polite"
    >
      {working ? (
        <>
          <p>
            <b>{bulk.status === 'queued' ? 'Waiting to start:' : 'Working on'}</b> {accountsWord(bulk.accounts)}. This page updates by
            itself; you will also get an email when it is done.
          </p>
          <progress class="progress" aria-label="Bulk action in progress"></progress>
        </>
      ) : bulk.status === 'failed' ? (
        <Notice kind="bad">{bulk.error ?? 'Nothing was changed.'}</Notice>
      ) : (
        <Notice kind="ok">
          Done: {accountsWord(bulk.changedCount)} {DONE[bulk.action]}
          {bulk.skippedCount > 0
            ? `; ${accountsWord(bulk.skippedCount)} left as they were (already so, your own account, an administrator you do not manage, or no longer there).`
            : '.'}
        </Notice>
      )}
    </div>
  );
}

export function BulkActionPage({ bulk }: { bulk: BulkActionView }) {
  return (
    <>
      <h1>
        {BULK_BUTTON[bulk.action]}
        {bulk.targetName ? `: ${bulk.targetName}` : ''}
      </h1>
      <BulkProgress bulk={bulk} />
      <p>
        <a href="/accounts">Back to View Accounts</a>
      </p>
    </>
  );
}
