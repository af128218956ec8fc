import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import type { Ctx } from '../context.js';
import { ForbiddenError, ValidationError } from '../errors.js';

/** True for an IANA time zone name the runtime knows ("America/New_York", "UTC"). */
export function isTimeZone(name: string): boolean {
  if (!name || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The organisation's time zone, in which its pages show every time. System administrators only. */
export async function setOrganisationTimeZone(ctx: Ctx, timeZone: string): Promise<void> {
  if (!ctx.actor.isSystemAdmin) throw new ForbiddenError('Only system administrators can change the organisation settings.');
  const zone = timeZone.trim();
  if (!isTimeZone(zone)) {
    throw new ValidationError('The time zone was not changed.', {
      timeZone: `"${zone}" is not a time zone we know. Use a name such as America/New_York or Europe/London.`,
    });
  }
  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`update organisations set time_zone = ${zone} where id = ${ctx.actor.organisationId}`);
    await recordAudit(tx, ctx.actor, 'organisation.settings_changed', { details: { timeZone: zone } });
  });
}

/** Every time zone name the runtime offers, for the choice on the Organisation page. */
export function timeZoneNames(): string[] {
  const names = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return names.includes('UTC') ? names : ['UTC', ...names];
}
