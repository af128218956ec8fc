import { describe, expect, it } from 'vitest';
import { emailProblem, isValidEmail } from '../../src/accounts/email.js';
import { cleanRow } from '../../src/imports/stage.js';
import { parseReasons } from '../../src/imports/reasons.js';
import { reasonsWords } from '../../views/import-reasons.js';

const valid = [
  'ada@example.org',
  'ada.lovelace@example.org',
  'a@b.co',
  'first.middle.last@school.example.edu',
  "o'brien@example.ie",
  'user+tag@example.com',
  'x_y-z@example.com',
  "!#$%&'*+/=?^_`{|}~-@example.com",
  'UPPER@EXAMPLE.ORG',
  '123@example.org',
  'a@sub.sub2.example.co.uk',
  'a@xn--bcher-kva.example',
  'ana@bücher.example',
  'ana@例え.テスト',
  'student@hidden-email.classroom.invalid',
  'a@my-school.example',
  'a@1example.org',
  `${'a'.repeat(64)}@example.org`,
];

const invalid = [
  'dot.@example.edu',
  '.dot@example.edu',
  'two..dots@example.edu',
  'plain',
  '@example.org',
  'ada@',
  'ada@example',
  'ada@@example.org',
  'ada@exa mple.org',
  'a da@example.org',
  'ada@example..org',
  'ada@.example.org',
  'ada@example.org.',
  'ada@-example.org',
  'ada@example-.org',
  'ada@exa_mple.org',
  'ada@example.123',
  'ada@127.0.0.1',
  'ada@[127.0.0.1]',
  '"quoted"@example.org',
  'ada(comment)@example.org',
  'ada<x>@example.org',
  'ada,b@example.org',
  'ada;b@example.org',
  'ada\u0000@example.org',
  'ada@exam\u0000ple.org',
  `${'a'.repeat(65)}@example.org`,
  `a@${'b'.repeat(64)}.org`,
  `a@${'b.'.repeat(130)}org`,
  'ada@example.org\n',
];

describe('the one email rule', () => {
  it('has a table of at least 30 addresses', () => {
    expect(valid.length + invalid.length).toBeGreaterThanOrEqual(30);
  });

  it.each(valid)('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
    expect(emailProblem(email)).toBeNull();
  });

  it.each(invalid)('refuses %j', (email) => {
    expect(isValidEmail(email)).toBe(false);
    expect(emailProblem(email)).not.toBeNull();
  });

  it('the CSV and Classroom staging applies the same rule', () => {
    for (const email of [...valid, ...invalid.filter((e) => !/[\s\u0000]/.test(e))]) {
      const row = cleanRow({ rowNumber: 1, firstName: 'A', lastName: 'B', email });
      expect(row.problem === null, email).toBe(isValidEmail(email));
    }
    const problem = cleanRow({ rowNumber: 1, firstName: 'A', lastName: 'B', email: 'dot.@example.edu' }).problem;
    expect(reasonsWords(parseReasons(problem))).toContain('is not a valid email address');
  });
});
