import { sql, type SQL } from 'drizzle-orm';

/**
 * Why an import row is skipped, kept or updated, as a code with its parameters. The import
 * statements write these (a JSON array in import_rows.reason; a row may have several problems of
 * its own); views/import-reasons.ts turns them into words, in the tense the page needs.
 */
export type RowReason =
  | { code: 'emailMissing' | 'firstNameMissing' | 'lastNameMissing' | 'googleIdTooLong' }
  | { code: 'emailTooLong' | 'firstNameTooLong' | 'lastNameTooLong' | 'passwordTooLong' | 'groupTooLong' | 'tagTooLong'; max: number }
  | { code: 'passwordTooShort'; min: number }
  | { code: 'emailInvalid'; email: string }
  | { code: 'emailOnRow' | 'googleOnRow' | 'sameAccountAsRow'; row: number }
  | { code: 'unknownGroup' | 'foreignGroup'; group: string }
  | { code: 'unknownTags'; tags: string[] }
  | { code: 'otherGoogle' | 'administratorLeftAlone' | 'foreignAccount' | 'keepAsIs' | 'groupMissing' | 'passwordMissing' }
  | { code: 'existsAs'; kind: 'administrator' | 'user' }
  | { code: 'willUpdate'; parts: ('password' | 'group' | 'tags')[] }
  | { code: 'groupGone'; group: string | null }
  | { code: 'createdAfterCheck' | 'changedAfterCheck' }
  /** A reason written as words before reasons were codes (rows of batches checked earlier). */
  | { code: 'words'; text: string };

/** Why a Classroom student was not imported or attached by a sync: the row's reasons, or the sync's own. */
export type NotImportedReason = RowReason | { code: 'notImported' | 'outOfReach' };

/** A student a sync or import reports as not imported, with why (a sync history's details). */
export interface NotImported {
  name: string;
  reasons: NotImportedReason[];
}

/** A row of a batch that did not become an account (skippedNamesSql, batchSkippedSql) as reported. */
export function notImportedOf(row: { name: string; reason: string | null }): NotImported {
  return { name: row.name, reasons: parseReasons(row.reason) ?? [{ code: 'notImported' }] };
}

/** How a row's reasons are stored (import_rows.reason). */
export function storedReasons(reasons: RowReason[]): string {
  return JSON.stringify(reasons);
}

/** A row's stored reasons; words stored before reasons were codes come back as one 'words' reason. */
export function parseReasons(stored: string | null): RowReason[] | null {
  if (stored === null) return null;
  if (!stored.startsWith('[')) return [{ code: 'words', text: stored }];
  return JSON.parse(stored) as RowReason[];
}

/** One reason built in SQL, stored as import_rows.reason stores it; `params` are SQL expressions. */
export function reasonSql(code: RowReason['code'], params: Record<string, SQL> = {}): SQL {
  const pairs = Object.entries(params).map(([name, value]) => sql`, ${name}::text, ${value}`);
  return sql`json_build_array(json_build_object('code', ${code}::text${sql.join(pairs)}))::text`;
}

/** The reason of a row matched to an account that stays as it is because no update was chosen. */
export const KEEP_AS_IS_REASON = storedReasons([{ code: 'keepAsIs' }]);
