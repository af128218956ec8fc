import type { Actor } from './context.js';
import type { DbHandle } from './db/client.js';
import { auditLog } from './db/schema/index.js';

/** Appends to the audit log, in the caller's transaction. */
export async function recordAudit(
  tx: DbHandle,
  actor: Pick<Actor, 'id' | 'organisationId'> | null,
  action: string,
  extra: { subjectType?: string; subjectId?: string; details?: Record<string, unknown>; organisationId?: string } = {},
): Promise<void> {
  await tx.insert(auditLog).values({
    organisationId: extra.organisationId ?? actor?.organisationId ?? null,
    actorId: actor?.id ?? null,
    action,
    subjectType: extra.subjectType ?? null,
    subjectId: extra.subjectId ?? null,
    details: extra.details ?? {},
  });
}
