import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { guessField, guessMapping, validateMapping } from '../../src/imports/csv/columns.js';
import { decodeCsv, detectDelimiter, MAX_FILE_BYTES, MAX_ROWS } from '../../src/imports/csv/decode.js';
import { splitFullName } from '../../src/imports/csv/names.js';
import { readCsvFile } from '../../src/imports/csv/parse.js';
import { mappedRowPages } from '../../src/imports/csv/stage-csv.js';
import { csvCell, csvLine } from '../../src/imports/csv/write.js';
import { cleanRow } from '../../src/imports/stage.js';
import { parseReasons } from '../../src/imports/reasons.js';
import { reasonsWords } from '../../views/import-reasons.js';

const words = (stored: string | null) => reasonsWords(parseReasons(stored));

const utf8 = (s: string) => new TextEncoder().encode(s);
function utf16le(s: string, bom = true): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + s.length * 2);
  let o = 0;
  if (bom) {
    out[o++] = 0xff;
    out[o++] = 0xfe;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[o++] = c & 0xff;
    out[o++] = c >> 8;
  }
  return out;
}
function utf16be(s: string): Uint8Array {
  const out = new Uint8Array(2 + s.length * 2);
  out[0] = 0xfe;
  out[1] = 0xff;
  for (let i = 0; i < s.length; i++) {
    out[2 + i * 2] = s.charCodeAt(i) >> 8;
    out[3 + i * 2] = s.charCodeAt(i) & 0xff;
  }
  return out;
}

async function rowsOf(bytes: Uint8Array) {
  const { info, text } = await readCsvFile(bytes, 'f.csv');
  const mapping = guessMapping(info.headers, true);
  const rows = [];
  for await (const page of mappedRowPages(text, info.delimiter, mapping)) rows.push(...page);
  return { info, rows };
}

const SAMPLE = 'First Name,Last Name,Email\r\nZoë,Ångström,zoe@example.org\r\n';

describe('reading CSV: encodings', () => {
  it('reads UTF-8 with and without its byte-order mark', async () => {
    for (const bytes of [utf8(SAMPLE), new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(SAMPLE)])]) {
      const { info, rows } = await rowsOf(bytes);
      expect(info.encoding).toBe('utf-8');
      expect(info.headers).toEqual(['First Name', 'Last Name', 'Email']);
      expect(rows[0]).toMatchObject({ rowNumber: 2, firstName: 'Zoë', lastName: 'Ångström', email: 'zoe@example.org' });
    }
  });

  it('reads UTF-16 with its byte-order mark, little and big endian', async () => {
    for (const [bytes, enc] of [
      [utf16le(SAMPLE), 'utf-16le'],
      [utf16be(SAMPLE), 'utf-16be'],
    ] as const) {
      const { info, rows } = await rowsOf(bytes);
      expect(info.encoding).toBe(enc);
      expect(rows[0]).toMatchObject({ firstName: 'Zoë', lastName: 'Ångström' });
    }
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8', async () => {
    // "Zoë" and "Ångström" as Excel on Windows saves them, with a curly quote (0x92).
    const bytes = new Uint8Array([
      ...utf8('First Name,Last Name,Email\r\nZo'),
      0xeb,
      ...utf8(',O'),
      0x92,
      0xc5,
      ...utf8('ngstr'),
      0xf6,
      ...utf8('m,zoe@example.org\r\n'),
    ]);
    const { info, rows } = await rowsOf(bytes);
    expect(info.encoding).toBe('windows-1252');
    expect(rows[0]).toMatchObject({ firstName: 'Zoë', lastName: 'O’Ångström' });
  });
});

describe('reading CSV: delimiters and quoting', () => {
  it('detects comma, semicolon and tab', async () => {
    expect(detectDelimiter('a,b,c\n1;2')).toBe(',');
    expect(detectDelimiter('Vorname;Nachname;E-Mail\r\n')).toBe(';');
    expect(detectDelimiter('first\tlast\temail\n')).toBe('\t');
    expect(detectDelimiter('"a;b",c,d\n')).toBe(',');
    for (const d of [',', ';', '\t']) {
      const { info, rows } = await rowsOf(utf8(`First Name${d}Last Name${d}Email\nAna${d}Lee${d}ana@example.org\n`));
      expect(info.delimiter).toBe(d);
      expect(rows[0]).toMatchObject({ firstName: 'Ana', lastName: 'Lee', email: 'ana@example.org' });
    }
  });

  it('keeps commas, quotes and line breaks inside quoted fields; CRLF and LF; numbers rows as a spreadsheet does', async () => {
    for (const eol of ['\r\n', '\n']) {
      const text = `Full Name,Email,Tag${eol}"Lee, Ana",ana@example.org,"Grade 9; IEP"${eol}${eol}"Ben ""BJ"" Jones",ben@example.org,"line${eol}break"${eol}Cy Young,cy@example.org,${eol}`;
      const { info, rows } = await rowsOf(utf8(text));
      expect(info.rowCount).toBe(3);
      expect(rows.map((r) => [r.rowNumber, r.firstName, r.lastName, r.email, r.tagNames])).toEqual([
        [2, 'Ana', 'Lee', 'ana@example.org', ['Grade 9', 'IEP']],
        [4, 'Ben "BJ"', 'Jones', 'ben@example.org', [`line${eol}break`]],
        [5, 'Cy', 'Young', 'cy@example.org', []],
      ]);
    }
  });
});

describe('reading CSV: refused files, with the reason', () => {
  const refusal = async (bytes: Uint8Array) => {
    const error = await readCsvFile(bytes, 'f.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  };
  it('refuses empty, blank, header-only and one-column files', async () => {
    expect(await refusal(new Uint8Array())).toContain('The file is empty');
    expect(await refusal(utf8('\r\n  \r\n'))).toContain('The file is empty');
    expect(await refusal(utf8('First Name,Last Name,Email\r\n'))).toContain('a header row but no accounts');
    expect(await refusal(utf8('Email\r\na@example.org\r\n'))).toContain('only one column');
  });
  it('refuses binary files and workbooks', async () => {
    expect(await refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toContain('spreadsheet workbook');
    expect(await refusal(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2]))).toContain('not a CSV text file');
  });
  it('refuses files over the size and row limits', async () => {
    expect(() => decodeCsv(new Uint8Array(MAX_FILE_BYTES + 1))).toThrow(/the largest file we accept is 16 MB/);
    const many = `First Name,Last Name,Email\n${'a,b,c@d.org\n'.repeat(MAX_ROWS + 1)}`;
    expect(await refusal(utf8(many))).toContain('more than 100,000 rows');
  });
});

describe('header guessing', () => {
  it('recognises case, spacing, punctuation and common synonyms', () => {
    expect(guessField('E-mail Address')).toBe('email');
    expect(guessField('  EMAIL ')).toBe('email');
    expect(guessField('Student Email')).toBe('email');
    expect(guessField('first_name')).toBe('firstName');
    expect(guessField('Given Name')).toBe('firstName');
    expect(guessField('Surname')).toBe('lastName');
    expect(guessField('Family name')).toBe('lastName');
    expect(guessField('Name')).toBe('fullName');
    expect(guessField('Full Name')).toBe('fullName');
    expect(guessField('Temporary Password')).toBe('password');
    expect(guessField('Class')).toBe('group');
    expect(guessField('Tags')).toBe('tag');
    expect(guessField('Favourite colour')).toBeNull();
  });
  it('guesses each field once, Tag many times, and Group only for system administrators', () => {
    expect(guessMapping(['Email', 'E-mail', 'First', 'Last', 'Tag', 'Tags', 'Group', 'Notes'], true)).toEqual([
      'email',
      'skip',
      'firstName',
      'lastName',
      'tag',
      'tag',
      'group',
      'skip',
    ]);
    expect(guessMapping(['Email', 'Name', 'Group'], false)).toEqual(['email', 'fullName', 'skip']);
  });
  it('requires Email and First + Last Name or Full Name, with a clear message', () => {
    expect(() => validateMapping(['firstName', 'lastName', 'skip'], 3, true)).toThrow(ValidationError);
    try {
      validateMapping(['email', 'firstName', 'skip'], 3, true);
    } catch (e) {
      expect((e as ValidationError).fields.names).toBe(
        'Choose the columns that hold the First Name and the Last Name, or the one that holds the Full Name.',
      );
    }
    try {
      validateMapping(['email', 'fullName', 'group'], 3, false);
    } catch (e) {
      expect((e as ValidationError).fields['column-2']).toBe('Only system administrators can import a Group column.');
    }
    expect(validateMapping(['email', 'fullName', 'tag', 'tag'], 4, false)).toEqual(['email', 'fullName', 'tag', 'tag']);
  });
});

describe('full-name splitting', () => {
  it.each([
    ['Ana Lee', 'Ana', 'Lee'],
    ['  Mary   Ann  Smith ', 'Mary Ann', 'Smith'],
    ['Lee, Ana', 'Ana', 'Lee'],
    ['Ludwig van Beethoven', 'Ludwig', 'van Beethoven'],
    ['Maria de la Cruz', 'Maria', 'de la Cruz'],
    ['Cher', 'Cher', ''],
    ['', '', ''],
  ])('%j -> %j %j', (full, first, last) => {
    expect(splitFullName(full)).toEqual({ firstName: first, lastName: last });
  });
});

describe('row checks and the skipped-rows file', () => {
  it('names each problem of a row', () => {
    expect(cleanRow({ rowNumber: 2, firstName: ' Ana ', lastName: 'Lee', email: ' ana@example.org ' }).problem).toBeNull();
    expect(words(cleanRow({ rowNumber: 2, firstName: '', lastName: '', email: 'x' }).problem)).toBe(
      'The email "x" is not a valid email address. The first name is missing. The last name is missing.',
    );
    expect(words(cleanRow({ rowNumber: 2, firstName: 'a', lastName: 'b', email: `${'a'.repeat(250)}@b.org` }).problem)).toBe(
      'The email is longer than 254 characters.',
    );
    expect(words(cleanRow({ rowNumber: 2, firstName: 'a', lastName: 'b', email: 'a@b.org', password: 'x'.repeat(129) }).problem)).toBe(
      'The password is longer than 128 characters.',
    );
    expect(words(cleanRow({ rowNumber: 2, firstName: 'a', lastName: 'b', email: 'a@b.org', groupName: 'g'.repeat(101) }).problem)).toBe(
      'The group is longer than 100 characters.',
    );
  });
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const c of ['+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(c).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvLine(['a,b', 'plain', 'say "hi"'])).toBe('"a,b",plain,"say ""hi"""\r\n');
  });
});
