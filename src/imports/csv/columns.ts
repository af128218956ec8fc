import { ValidationError } from '../../errors.js';

/** Our fields a column can be matched to, with the labels of the drop-down. */
export const FIELDS = {
  firstName: 'First Name',
  lastName: 'Last Name',
  fullName: 'Full Name',
  email: 'Email',
  password: 'Password',
  group: 'Group',
  tag: 'Tag',
  skip: 'Do not import',
} as const;

export type Field = keyof typeof FIELDS;

export function isField(value: string): value is Field {
  return Object.hasOwn(FIELDS, value);
}

/** Fields this actor may choose: the Group column is for system administrators only. */
export function fieldsFor(isSystemAdmin: boolean): Field[] {
  return (Object.keys(FIELDS) as Field[]).filter((f) => f !== 'group' || isSystemAdmin);
}

const SYNONYMS: [Field, string[]][] = [
  ['firstName', ['firstname', 'first', 'givenname', 'given', 'forename', 'fname', 'prenom', 'nombre', 'vorname']],
  ['lastName', ['lastname', 'last', 'surname', 'familyname', 'family', 'lname', 'nom', 'apellido', 'apellidos', 'nachname']],
  ['fullName', ['fullname', 'name', 'studentname', 'username', 'displayname', 'learnername', 'nomcomplet', 'nombrecompleto']],
  [
    'email',
    ['email', 'emailaddress', 'mail', 'email1', 'primaryemail', 'studentemail', 'emailid', 'courriel', 'correo', 'correoelectronico'],
  ],
  [
    'password',
    ['password', 'pass', 'pwd', 'passcode', 'initialpassword', 'temporarypassword', 'defaultpassword', 'motdepasse', 'contrasena'],
  ],
  ['group', ['group', 'groupname', 'groups', 'school', 'class', 'classname', 'section', 'homeroom', 'groupe', 'grupo']],
  ['tag', ['tag', 'tags', 'label', 'labels', 'category', 'categories']],
];

/** Headers reduced to letters and digits, lower case, accents dropped: "E-mail Address" -> "emailaddress". */
function key(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The field a header most likely means, or null when it is not one we recognise. */
export function guessField(header: string): Field | null {
  const k = key(header);
  if (!k) return null;
  for (const [field, words] of SYNONYMS) if (words.includes(k)) return field;
  if (k.includes('email') || k.includes('mail')) return 'email';
  if (k.includes('password')) return 'password';
  if (k.includes('first') || k.includes('given')) return 'firstName';
  if (k.includes('last') || k.includes('surname') || k.includes('family')) return 'lastName';
  return null;
}

/**
 * Pre-fills the mapping from the headers. A field is guessed for one column only (the first);
 * Tag may take several columns. Unrecognised columns are not imported.
 */
export function guessMapping(headers: string[], isSystemAdmin: boolean): Field[] {
  const allowed = new Set(fieldsFor(isSystemAdmin));
  const used = new Set<Field>();
  const mapping = headers.map((h) => {
    const f = guessField(h);
    if (!f || !allowed.has(f) || (used.has(f) && f !== 'tag')) return 'skip' as Field;
    used.add(f);
    return f;
  });
  // A "Name" column next to First and Last columns is not a full name.
  if (used.has('fullName') && used.has('firstName') && used.has('lastName')) {
    return mapping.map((f) => (f === 'fullName' ? 'skip' : f));
  }
  return mapping;
}

/**
 * Checks a mapping: Email, and either First and Last Name or Full Name, each on one column.
 * The message says what to choose.
 */
export function validateMapping(mapping: string[], columns: number, isSystemAdmin: boolean): Field[] {
  if (mapping.length !== columns) throw new ValidationError('Choose a field for every column of your file.');
  const allowed = new Set(fieldsFor(isSystemAdmin));
  const fields: Record<string, string> = {};
  const chosen = mapping.map((m, i) => {
    if (!isField(m) || !allowed.has(m)) {
      fields[`column-${i}`] =
        m === 'group' ? 'Only system administrators can import a Group column.' : 'Choose one of the fields in the list.';
      return 'skip' as Field;
    }
    return m;
  });
  const count = (f: Field) => chosen.filter((c) => c === f).length;
  for (const f of ['firstName', 'lastName', 'fullName', 'email', 'password', 'group'] as Field[]) {
    if (count(f) > 1)
      fields[`column-${chosen.lastIndexOf(f)}`] = `${FIELDS[f]} is chosen for more than one column. Choose it for one column only.`;
  }
  if (count('email') === 0) fields.email = 'Choose the column that holds the Email.';
  const hasNames = count('firstName') === 1 && count('lastName') === 1;
  if (!hasNames && count('fullName') === 0) {
    fields.names = 'Choose the columns that hold the First Name and the Last Name, or the one that holds the Full Name.';
  } else if (count('fullName') > 0 && (count('firstName') > 0 || count('lastName') > 0)) {
    fields.names = 'Choose either First Name and Last Name, or Full Name, not both.';
  }
  if (Object.keys(fields).length) throw new ValidationError('Some columns need a different choice.', fields);
  return chosen;
}
