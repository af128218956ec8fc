import { createContext, useContext } from 'hono/jsx';
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

/** The organisation's time zone, provided by the page renderer; times on a page are shown in it. */
export const TimeZoneContext = createContext('UTC');

const formats = new Map<string, Intl.DateTimeFormat>();

/** "Dec 1, 2026, 1:05 PM EST": a moment in the organisation's time zone (the page's, unless given). */
export function formatTime(at: Date | string, timeZone?: string): string {
  const zone = timeZone ?? useContext(TimeZoneContext);
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    formats.set(zone, format);
  }
  return format.format(new Date(at));
}

/** "1:05 PM EST": the time of day only. */
export function formatClock(at: Date | string, timeZone?: string): string {
  const zone = timeZone ?? useContext(TimeZoneContext);
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(
    new Date(at),
  );
}

/** "Aisha Adams": how a person's name reads on every page (lists are sorted by last name, then first). */
export function formatName(person: { firstName: string; lastName: string }): string {
  return `${person.firstName} ${person.lastName}`.trim();
}
