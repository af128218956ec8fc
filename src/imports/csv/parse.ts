import Papa from 'papaparse';
import { ValidationError } from '../../errors.js';
import { decodeCsv, detectDelimiter, MAX_ROWS, type CsvEncoding } from './decode.js';

/** What the upload step learns about a file, kept on the batch for the next steps. */
export interface CsvFileInfo {
  fileName: string;
  encoding: CsvEncoding;
  delimiter: ',' | ';' | '\t';
  headers: string[];
  /** Data rows (not counting the header or blank lines). */
  rowCount: number;
  /** The first few data rows, to show beside the column mapping. */
  samples: string[][];
}

/**
 * The records of the text, streamed through papaparse a chunk at a time (quoted fields with
 * delimiters and line breaks, CRLF or LF), pausing the parser while the consumer catches up, so
 * rows are never all held at once; handed over a parsed chunk at a time (one await per chunk
 * rather than per record). Each record comes with its row number as a spreadsheet shows it: the
 * header is row 1; blank lines count but are not returned.
 */
export async function* csvRecordBatches(text: string, delimiter: string): AsyncGenerator<{ rowNumber: number; cells: string[] }[]> {
  let buffer: string[][] = [];
  let done = false;
  let failure: unknown = null;
  let paused = null as Papa.Parser | null;
  let wake: (() => void) | null = null;
  const woken = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  try {
    Papa.parse<string[]>(text, {
      delimiter,
      header: false,
      skipEmptyLines: false,
      chunkSize: 128 * 1024,
      chunk: (result: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
        buffer = buffer.length ? buffer.concat(result.data) : result.data;
        paused = parser;
        parser.pause();
        woken();
      },
      complete: () => {
        done = true;
        woken();
      },
    });
  } catch (error) {
    failure = error;
  }
  let rowNumber = 0;
  for (;;) {
    if (failure) throw failure;
    if (buffer.length) {
      const rows = buffer;
      buffer = [];
      const batch: { rowNumber: number; cells: string[] }[] = [];
      for (const cells of rows) {
        rowNumber++;
        if (cells.every((c) => c.trim() === '')) continue;
        batch.push({ rowNumber, cells });
      }
      yield batch;
      continue;
    }
    if (done) return;
    const parser = paused as Papa.Parser | null;
    paused = null;
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (parser) parser.resume();
      if (buffer.length || done) woken();
    });
  }
}

/**
 * Reads an uploaded file: its encoding, delimiter, header and rows, within the limits. A file we
 * cannot import (empty, binary, header only, one column, too many rows) is refused with why and
 * what to do, before anything is stored.
 */
export async function readCsvFile(bytes: Uint8Array, fileName: string): Promise<{ info: CsvFileInfo; text: string }> {
  const { text, encoding } = decodeCsv(bytes);
  if (!text.trim()) throw new ValidationError('The file is empty. Choose the CSV file that holds your accounts.');
  const delimiter = detectDelimiter(text);
  let headers: string[] | null = null;
  let rowCount = 0;
  const samples: string[][] = [];
  // A parsed chunk at a time: the upload reads every record only to count them, and an await
  // per record (100k of them) cost more than the parse.
  for await (const batch of csvRecordBatches(text, delimiter)) {
    for (const { cells } of batch) {
      if (!headers) {
        headers = cells.map((h) => h.trim());
        continue;
      }
      rowCount++;
      if (rowCount > MAX_ROWS) {
        throw new ValidationError(
          `The file has more than ${MAX_ROWS.toLocaleString('en')} rows of accounts; one import takes at most ${MAX_ROWS.toLocaleString('en')}. Split it into smaller files and import them one after another.`,
        );
      }
      if (samples.length < 3) samples.push(cells);
    }
  }
  if (!headers) throw new ValidationError('The file is empty. Choose the CSV file that holds your accounts.');
  if (headers.length < 2) {
    throw new ValidationError(
      'The file has only one column. It needs at least an Email column and the names (First and Last Name, or Full Name), with a header row naming them. If your spreadsheet program used another separator, save the file again as "CSV (comma delimited)".',
    );
  }
  if (rowCount === 0)
    throw new ValidationError('The file has a header row but no accounts under it. Add one row per account and upload it again.');
  return { info: { fileName, encoding, delimiter, headers, rowCount, samples }, text };
}
