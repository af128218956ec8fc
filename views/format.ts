/** How numbers and counted things read on every page: "2,500", "1 account", "3 accounts". */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 account", "2,500 accounts"; `many` defaults to `one` + "s". */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** The verb that agrees with a subject naming one thing or several: "was" / "were". */
export function agree(n: number, singular: string, plural: string): string {
  return n === 1 ? singular : plural;
}
