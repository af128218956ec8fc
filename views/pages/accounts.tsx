import type { AccountListRow } from '../../src/accounts/list.js';
import { countOf, formatName, formatNumber } from '../format.js';
import { CsrfField, Notice, SelectField } from '../components/form.js';
import { BULK_BUTTON } from './bulk-actions.js';

export interface AccountsFilterView {
  q: string;
  tagId: string;
  groupId: string;
  status: string;
}

export interface AccountsResultsProps {
  csrfToken: string;
  rows: AccountListRow[];
  total: number;
  page: number;
  pageCount: number;
  filter: AccountsFilterView;
  /** "Select all across pages" chosen (server-side rendering of it, for pages loaded without script). */
  allSelected: boolean;
  /** The draft selection kept on the server while paging and searching (null until a box is checked). */
  draft?: DraftView | null;
  error?: string | null;
}

export interface DraftView {
  id: string;
  /** Accounts of the draft shown on this page (their boxes are checked). */
  checkedOnPage: string[];
  /** Accounts of the draft that are not on this page. */
  otherCount: number;
}

export interface AccountsPageProps extends AccountsResultsProps {
  groups: { id: string; name: string }[];
  tags: { id: string; name: string }[];
  notice?: string | null;
}

export function accountsQuery(filter: AccountsFilterView, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.tagId) params.set('tagId', filter.tagId);
  if (filter.groupId) params.set('groupId', filter.groupId);
  if (filter.status) params.set('status', filter.status);
  for (const [k, v] of Object.entries(extra)) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The bulk actions of the toolbar (the confirmation page's own button words); each opens a confirmation page naming the count. */
const BULK_ACTIONS = Object.entries(BULK_BUTTON);

function accountType(row: AccountListRow): string {
  if (row.isSystemAdmin) return 'System administrator';
  return row.kind === 'administrator' ? 'Administrator' : 'User';
}

/** The page numbers to show: first, last, and a window around the current one. */
function pageNumbers(page: number, pageCount: number): (number | null)[] {
  const wanted = new Set([1, pageCount, page - 2, page - 1, page, page + 1, page + 2].filter((p) => p >= 1 && p <= pageCount));
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((p, i) => {
    if (i > 0 && p - sorted[i - 1]! > 1) out.push(null);
    out.push(p);
  });
  return out;
}

function Pager(props: { page: number; pageCount: number; filter: AccountsFilterView; firstId?: string; lastId?: string }) {
  if (props.pageCount <= 1) return null;
  const link = (p: number) => `/accounts${accountsQuery(props.filter, { page: p })}`;
  // Previous and Next continue from this page's first and last account (read from there in name
  // order); the numbers jump by position.
  const previous = `/accounts${accountsQuery(props.filter, { page: props.page - 1, ...(props.firstId ? { before: props.firstId } : {}) })}`;
  const next = `/accounts${accountsQuery(props.filter, { page: props.page + 1, ...(props.lastId ? { after: props.lastId } : {}) })}`;
  // The draft selection's id is read when the link is followed: it may be made after the page was.
  // It waits for a box's change still on its way to the server, so the draft is made first.
  const hx = {
    'hx-target': '#accounts-results',
    'hx-swap': 'outerHTML',
    'hx-push-url': 'true',
    'hx-include': '#draft-selection',
    'hx-sync': '#draft-sync:queue all',
  };
  return (
    <nav aria-label="Pages">
      {props.page > 1 ? (
        <a href={previous} {...hx} hx-get={previous} rel="prev">
          Previous
        </a>
      ) : null}
      {pageNumbers(props.page, props.pageCount).map((p) =>
        p === null ? (
          <span aria-hidden="true">…</span>
        ) : p === props.page ? (
          <span class="current" aria-current="page">
            {p}
          </span>
        ) : (
          <a href={link(p)} {...hx} hx-get={link(p)} aria-label={`Page ${p}`}>
            {p}
          </a>
        ),
      )}
      {props.page < props.pageCount ? (
        <a href={next} {...hx} hx-get={next} rel="next">
          Next
        </a>
      ) : null}
    </nav>
  );
}

/**
 * The table, pager and selection toolbar. htmx swaps this region when the search, a filter or
 * the page changes; a full page load renders the same markup.
 */
export function AccountsResults(props: AccountsResultsProps) {
  const { filter } = props;
  const hasFilter = !!(filter.q || filter.tagId || filter.groupId || filter.status);
  const draft = props.draft ?? null;
  const checked = new Set(draft?.checkedOnPage ?? []);
  const otherCount = draft?.otherCount ?? 0;
  const selectedCount = otherCount + checked.size;
  const allLabel = `All ${countOf(props.total, 'account', 'accounts')}${hasFilter ? ' matching your search and filters' : ''} are selected.`;
  return (
    // Not kept in htmx's history cache: Back and Forward ask the server, which knows the selection.
    <div id="accounts-results" hx-history="false">
      <p class="muted" id="accounts-count" role="status" aria-live="polite">
        {props.total === 0
          ? hasFilter
            ? 'No accounts match your search and filters.'
            : 'There are no accounts yet.'
          : `${countOf(props.total, 'account', 'accounts')}${hasFilter ? ' match' : ''} · page ${props.page} of ${props.pageCount}`}
      </p>
      {props.error ? <Notice kind="bad">{props.error}</Notice> : null}
      <form method="post" action="/accounts/selection" id="selection-form">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="q" value={filter.q} />
        <input type="hidden" name="tagId" value={filter.tagId} />
        <input type="hidden" name="groupId" value={filter.groupId} />
        <input type="hidden" name="status" value={filter.status} />
        <input type="hidden" name="selection" id="draft-selection" value={draft?.id ?? ''} />
        {props.rows.map((row) => (
          <input type="hidden" name="pageIds" value={row.id} />
        ))}
        {/* Every change of the boxes is sent with the whole form, so the server's draft follows the page. */}
        <span
          hidden
          id="draft-sync"
          hx-post="/accounts/selection/draft"
          hx-trigger="selection-changed from:#selection-form"
          hx-swap="none"
          hx-sync="this:queue last"
        ></span>
        {props.rows.length > 0 ? (
          <a class="skip-to" href="#selection-toolbar" data-skip-toolbar hidden={!props.allSelected && selectedCount === 0}>
            Skip to the selection toolbar
          </a>
        ) : null}
        {props.rows.length > 0 ? (
          <div class="table-wrap">
            <table class="accounts">
              <caption class="sr-only">
                Accounts, page {props.page} of {props.pageCount}
              </caption>
              <thead>
                <tr>
                  <th scope="col" class="check">
                    <input type="checkbox" data-select-page aria-label="Select all accounts on this page" checked={props.allSelected} />
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Type</th>
                  <th scope="col">Group</th>
                  <th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((row) => (
                  <tr>
                    <td class="check">
                      <input
                        type="checkbox"
                        name="accountId"
                        value={row.id}
                        data-select-row
                        id={`select-${row.id}`}
                        aria-label={`Select ${formatName(row)}`}
                        checked={props.allSelected || checked.has(row.id)}
                      />
                    </td>
                    <th scope="row">
                      <a href={`/accounts/${row.id}`}>{formatName(row)}</a>
                      {row.deactivated ? <span class="pill badge-deactivated">Deactivated</span> : null}
                    </th>
                    <td>{row.email}</td>
                    <td>{accountType(row)}</td>
                    <td>{row.groupName ?? <span class="muted">None</span>}</td>
                    <td>
                      {row.tags.map((t) => (
                        <span class="pill">{t}</span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : hasFilter ? (
          <p>
            <a href="/accounts">Clear the search and filters</a>
          </p>
        ) : null}
        <div class="pager">
          <span class="muted small">
            {props.total > 0
              ? `Showing ${(props.page - 1) * 50 + 1}–${(props.page - 1) * 50 + props.rows.length} of ${formatNumber(props.total)}`
              : ''}
          </span>
          <Pager
            page={props.page}
            pageCount={props.pageCount}
            filter={filter}
            firstId={props.rows[0]?.id}
            lastId={props.rows[props.rows.length - 1]?.id}
          />
        </div>
        {props.total > 0 ? (
          <div
            class="toolbar"
            id="selection-toolbar"
            tabindex={-1}
            data-selection-toolbar
            data-all-selected={props.allSelected ? 'true' : 'false'}
            data-all-label={allLabel}
            data-other-count={String(otherCount)}
            hidden={!props.allSelected && selectedCount === 0}
            role="region"
            aria-label="Selected accounts"
          >
            <div class="inner">
              <input type="hidden" name="all" value={props.allSelected ? '1' : ''} />
              <span data-selection-count aria-live="polite">
                {props.allSelected ? allLabel : `${countOf(selectedCount, 'account', 'accounts')} selected`}
              </span>
              {otherCount > 0 && hasFilter ? (
                <span class="muted small" data-kept-note>
                  Accounts you checked before changing the search or filters stay selected.
                </span>
              ) : null}
              <span id="selection-problem" role="alert"></span>
              {props.total > props.rows.length ? (
                <a href={`/accounts${accountsQuery(filter, { page: props.page, all: 1 })}`} data-select-all hidden={props.allSelected}>
                  Select all {countOf(props.total, 'account', 'accounts')} across all pages
                </a>
              ) : null}
              <a
                href={`/accounts${accountsQuery(filter, { page: props.page })}`}
                data-clear-selection
                hidden={!props.allSelected && selectedCount === 0}
              >
                Clear selection
              </a>
              <button class="btn" type="submit">
                Assign
              </button>
              {BULK_ACTIONS.map(([value, label]) => (
                <button class="btn secondary" type="submit" name="bulk" value={value}>
                  {label}
                </button>
              ))}
            </div>
          </div>
        ) : null}
      </form>
    </div>
  );
}

export function AccountsPage(props: AccountsPageProps) {
  const { filter } = props;
  return (
    <>
      <div class="page-head">
        <h1>View Accounts</h1>
        <a class="btn secondary" href="/accounts/new">
          Create Account
        </a>
      </div>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      <form
        class="filters"
        method="get"
        action="/accounts"
        role="search"
        aria-label="Search and filter accounts"
        hx-get="/accounts"
        hx-target="#accounts-results"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, input delay:300ms"
        hx-include="#draft-selection"
        hx-sync="#draft-sync:queue last"
      >
        <div class="field">
          <label for="q">Search</label>
          <input id="q" name="q" type="search" value={filter.q} placeholder="Name or email" maxlength={200} autocomplete="off" />
        </div>
        <SelectField
          name="tagId"
          label="Tag"
          emptyLabel="All tags"
          options={props.tags.map((t) => ({ value: t.id, label: t.name }))}
          value={filter.tagId}
        />
        <SelectField
          name="groupId"
          label="Group"
          emptyLabel="All groups"
          options={props.groups.map((g) => ({ value: g.id, label: g.name }))}
          value={filter.groupId}
        />
        <SelectField
          name="status"
          label="Status"
          emptyLabel="All"
          options={[
            { value: 'active', label: 'Active' },
            { value: 'deactivated', label: 'Deactivated' },
          ]}
          value={filter.status}
        />
        <button class="btn secondary" type="submit">
          Search
        </button>
      </form>
      <AccountsResults {...props} />
    </>
  );
}
