import type { NotImported, NotImportedReason, RowReason } from '../src/imports/reasons.js';

/** Before the import ('planned': the check's page) or after it ('done': the result). */
export type ReasonTense = 'planned' | 'done';

function list(words: string[]): string {
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}`;
}

function leftAsIs(tense: ReasonTense): string {
  return tense === 'done' ? 'it was left as it is.' : 'it will be left as it is.';
}

/** The words for one reason. */
export function reasonWords(reason: RowReason, tense: ReasonTense = 'planned'): string {
  switch (reason.code) {
    case 'emailMissing':
      return 'The email is missing.';
    case 'emailTooLong':
      return `The email is longer than ${reason.max} characters.`;
    case 'emailInvalid':
      return `The email "${reason.email}" is not a valid email address.`;
    case 'firstNameMissing':
      return 'The first name is missing.';
    case 'firstNameTooLong':
      return `The first name is longer than ${reason.max} characters.`;
    case 'lastNameMissing':
      return 'The last name is missing.';
    case 'lastNameTooLong':
      return `The last name is longer than ${reason.max} characters.`;
    case 'passwordTooShort':
      return `The password is shorter than ${reason.min} characters.`;
    case 'passwordTooLong':
      return `The password is longer than ${reason.max} characters.`;
    case 'groupTooLong':
      return `The group is longer than ${reason.max} characters.`;
    case 'tagTooLong':
      return `A tag is longer than ${reason.max} characters.`;
    case 'googleIdTooLong':
      return 'The Google user id is too long.';
    case 'emailOnRow':
      return `The same email is also on row ${reason.row}.`;
    case 'googleOnRow':
      return `The same Google account is also on row ${reason.row}.`;
    case 'sameAccountAsRow':
      return `Row ${reason.row} is for the same account.`;
    case 'unknownGroup':
      return `There is no group named "${reason.group}" in your organisation.`;
    case 'foreignGroup':
      return `You do not manage the group "${reason.group}".`;
    case 'unknownTags':
      return reason.tags.length === 1
        ? `There is no tag named "${reason.tags[0]}" in your organisation.`
        : `There are no tags named "${reason.tags.join('", "')}" in your organisation.`;
    case 'otherGoogle':
      return 'An account with this email is linked to another Google account, so it was left as it is.';
    case 'administratorLeftAlone':
      return 'matches an administrator account: left alone';
    case 'foreignAccount':
      return 'An account with this email already exists in a group you do not manage, so it was left as it is.';
    case 'keepAsIs':
      return `An account with this email already exists; ${leftAsIs(tense)}`;
    case 'existsAs':
      return `An account with this email already exists as ${reason.kind === 'administrator' ? 'an administrator' : 'a user'}; ${leftAsIs(tense)}`;
    case 'willUpdate':
      return tense === 'done'
        ? `An account with this email already exists; its ${list(reason.parts)} ${reason.parts.length > 1 || reason.parts[0] === 'tags' ? 'were' : 'was'} updated.`
        : `An account with this email already exists; its ${list(reason.parts)} will be updated.`;
    case 'groupMissing':
      return 'The group is missing.';
    case 'passwordMissing':
      return 'The password is missing.';
    case 'groupGone':
      return `The group ${reason.group === null ? '' : `"${reason.group}" `}was deleted or is no longer one of yours since the check, so this row was skipped.`;
    case 'createdAfterCheck':
      return 'An account with this email or Google account was created after the check, so this row was skipped. Import it again to update that account.';
    case 'changedAfterCheck':
      return 'The account changed after the check (deleted, moved or made an administrator), so it was left as it is.';
    case 'words':
      return reason.text;
  }
}

/** A row's reasons as one sentence or more ('' for none). */
export function reasonsWords(reasons: RowReason[] | null, tense: ReasonTense = 'planned'): string {
  return reasons ? reasons.map((r) => reasonWords(r, tense)).join(' ') : '';
}

function notImportedReasonWords(reason: NotImportedReason): string {
  switch (reason.code) {
    case 'notImported':
      return 'not imported';
    case 'outOfReach':
      return 'has an account in a group the class’s administrator does not manage: left alone';
    default:
      return reasonWords(reason);
  }
}

/** "First Last: why", for a sync's history (runs recorded before reasons were codes kept the sentence). */
export function notImportedWords(entry: string | NotImported): string {
  return typeof entry === 'string' ? entry : `${entry.name}: ${entry.reasons.map(notImportedReasonWords).join(' ')}`;
}
