import type { Ctx } from '../../context.js';
import { clearImportRows, stageImportRows, type ImportRowInput } from '../stage.js';
import type { Field } from './columns.js';
import { splitFullName } from './names.js';
import { csvRecordBatches } from './parse.js';

// Several tags in one cell: separated by semicolons or vertical bars (commas when the file is not comma-separated).
function splitTags(cell: string, delimiter: string): string[] {
  const separators = delimiter === ',' ? /[;|]/ : /[;|,]/;
  return cell.split(separators).map((t) => t.trim()).filter(Boolean);
}

/** Rows of the file as the engine takes them, following the column mapping. */
export async function* mappedRows(text: string, delimiter: string, mapping: Field[]): AsyncGenerator<ImportRowInput> {
  const col = (f: Field) => mapping.indexOf(f);
  const first = col('firstName');
  const last = col('lastName');
  const full = col('fullName');
  const email = col('email');
  const password = col('password');
  const group = col('group');
  const tagColumns = mapping.flatMap((f, i) => (f === 'tag' ? [i] : []));
  let header = true;
  for await (const batch of csvRecordBatches(text, delimiter)) {
    for (const { rowNumber, cells } of batch) {
      if (header) {
        header = false;
        continue;
      }
      const cell = (i: number) => (i >= 0 ? (cells[i] ?? '') : '');
      const names = full >= 0 ? splitFullName(cell(full)) : { firstName: cell(first), lastName: cell(last) };
      yield {
        rowNumber,
        firstName: names.firstName,
        lastName: names.lastName,
        email: cell(email),
        password: password >= 0 ? cell(password) : null,
        groupName: group >= 0 ? cell(group) : null,
        tagNames: tagColumns.length ? tagColumns.flatMap((i) => splitTags(cell(i), delimiter)) : [],
      };
    }
  }
}

/** (Re)stages the batch's rows from its file with this mapping. */
export async function stageCsvFile(ctx: Ctx, batchId: string, file: { text: string; delimiter: string }, mapping: Field[]): Promise<number> {
  await clearImportRows(ctx, batchId);
  const { staged } = await stageImportRows(ctx, batchId, mappedRows(file.text, file.delimiter, mapping));
  return staged;
}
