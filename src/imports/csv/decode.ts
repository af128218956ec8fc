import { ValidationError } from '../../errors.js';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** The largest file accepted, and the most rows one import takes. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_ROWS = 100_000;

const SAVE_AS_CSV = 'In your spreadsheet program choose File, then Save As (or Download), and pick "CSV", then upload that file.';

/**
 * Turns the uploaded bytes into text: UTF-8 with or without its byte-order mark, UTF-16 with its
 * mark, and otherwise Windows-1252 (what Excel on Windows saves as "CSV"). Files that are not
 * text (a workbook, an image) are refused with what to do instead.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes.length === 0) throw new ValidationError('The file is empty. Choose the CSV file that holds your accounts.');
  if (bytes.length > MAX_FILE_BYTES) {
    throw new ValidationError(
      `The file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; the largest file we accept is ${MAX_FILE_BYTES / 1024 / 1024} MB. Split it into smaller files and import them one after another.`,
    );
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new ValidationError(`This is a spreadsheet workbook (such as .xlsx), not a CSV file. ${SAVE_AS_CSV}`);
  }
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new ValidationError(`This is an older Excel workbook (.xls), not a CSV file. ${SAVE_AS_CSV}`);
  }
  let text: string;
  let encoding: CsvEncoding;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8';
    text = new TextDecoder('utf-8').decode(bytes.subarray(3));
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      encoding = 'utf-8';
    } catch {
      text = decodeWindows1252(bytes);
      encoding = 'windows-1252';
    }
  }
  if (looksBinary(text)) throw new ValidationError(`This file is not a CSV text file. ${SAVE_AS_CSV}`);
  return { text, encoding };
}

/** NUL characters, or more than a few other control characters, mean the file is not text. */
function looksBinary(text: string): boolean {
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
    else if (c === 0xfffd) control++;
  }
  return control > Math.max(8, sample.length / 100);
}

/**
 * The delimiter of the file: comma, semicolon (Excel where the comma is the decimal mark) or tab,
 * whichever the header line holds most of, outside quotes.
 */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 65536; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

// Windows-1252 differs from Latin-1 only in 0x80-0x9F (curly quotes, dashes, euro sign...).
// Node's TextDecoder treats the label as Latin-1 in some builds, so the table is ours.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  const text = new TextDecoder('latin1').decode(bytes);
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}
