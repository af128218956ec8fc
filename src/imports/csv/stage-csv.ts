import type { Ctx } from '../../context.js';
import { clearImportRows, stageImportRows, type ImportRowInput } from '../stage.js';
import type { Field } from './columns.js';
import { splitFullName } from './names.js';
import { csvRecordBatches } from './parse.js';

// Several tags in one cell: separated by semicolons or vertical bars (commas when the file is not comma-separated).
function splitTags(cell: string, delimiter: string): string[] {
  if (!cell.trim()) return [];
  const separators = delimiter === ',' ? /[;|]/ : /[;|,]/;
  return cell
    .split(separators)
    .map((t) => t.trim())
    .filter(Boolean);
}

// A cell of a record, '' where the record is short or the field is not mapped (-1). Kept out of
// the row loop: no closure made per row.
function cellAt(cells: string[], i: number): string {
  return i >= 0 ? (cells[i] ?? '') : '';
}

/** Rows of the file as the engine takes them, following the column mapping, a parsed chunk at a time. */
export async function* mappedRowPages(text: string, delimiter: string, mapping: Field[]): AsyncGenerator<ImportRowInput[]> {
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
    const page: ImportRowInput[] = [];
    for (const { rowNumber, cells } of batch) {
      if (header) {
        header = false;
        continue;
      }
      const names = full >= 0 ? splitFullName(cellAt(cells, full)) : { firstName: cellAt(cells, first), lastName: cellAt(cells, last) };
      let tagNames: string[] = [];
      for (const i of tagColumns) {
        const cell = cellAt(cells, i);
        if (cell) tagNames = tagNames.concat(splitTags(cell, delimiter));
      }
      page.push({
        rowNumber,
        firstName: names.firstName,
        lastName: names.lastName,
        email: cellAt(cells, email),
        password: password >= 0 ? cellAt(cells, password) : null,
        groupName: group >= 0 ? cellAt(cells, group) : null,
        tagNames,
      });
    }
    if (page.length) yield page;
  }
}

/** (Re)stages the batch's rows from its file with this mapping. */
export async function stageCsvFile(
  ctx: Ctx,
  batchId: string,
  file: { text: string; delimiter: string },
  mapping: Field[],
): Promise<number> {
  await clearImportRows(ctx, batchId);
  const { staged } = await stageImportRows(ctx, batchId, mappedRowPages(file.text, file.delimiter, mapping));
  return staged;
}
