/**
 * Previous / Next paging for a list whose pages are plain links. `href(n)` builds page n's address;
 * `note` replaces the default "Page n of m" text.
 */
export function SimplePager(props: { page: number; pageCount: number; href: (page: number) => string; label?: string; note?: string }) {
  if (props.pageCount <= 1) return null;
  return (
    <div class="pager">
      <span class="muted small">{props.note ?? `Page ${props.page} of ${props.pageCount}`}</span>
      <nav aria-label={props.label ?? 'Pages'}>
        {props.page > 1 ? (
          <a href={props.href(props.page - 1)} rel="prev">
            Previous
          </a>
        ) : null}
        {props.page < props.pageCount ? (
          <a href={props.href(props.page + 1)} rel="next">
            Next
          </a>
        ) : null}
      </nav>
    </div>
  );
}
