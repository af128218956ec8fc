/** Where a list's page lands: a page before the first is the first, a page past the last is the last. */
export interface PageWindow {
  page: number;
  pageCount: number;
  offset: number;
  pageSize: number;
}

/** The largest page number anyone is offered to ask for; the input layer clamps to it too. */
export const MAX_PAGE = 1_000_000;

/** The page of `total` rows `requested` (any number, even NaN) lands on. */
export function paginate(total: number, requested: number | undefined, pageSize: number): PageWindow {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(clampPage(requested), pageCount);
  return { page, pageCount, offset: (page - 1) * pageSize, pageSize };
}

/** A requested page as a whole number between 1 and MAX_PAGE, before the total is known. */
export function clampPage(requested: number | undefined): number {
  const n = Math.floor(requested ?? 1);
  return Number.isFinite(n) ? Math.min(Math.max(1, n), MAX_PAGE) : n === Infinity ? MAX_PAGE : 1;
}
