/**
 * The import engine, whatever the source (a CSV file or Google Classroom): a batch with its
 * options, staged rows, a set-based check, and the resumable run_import job. Sources only turn
 * their input into rows; account creation lives here alone.
 */
export {
  createImportBatch,
  getImportBatch,
  listImportBatches,
  listImportRows,
  updateImportOptions,
  updateImportSourceState,
  IMPORT_ROWS_PAGE_SIZE,
  type ImportBatch,
  type ImportRowView,
  type ImportSource,
  type ImportStatus,
  type ImportOptionsPatch,
  type RowOutcome,
} from './batches.js';
export { stageImportRows, clearImportRows, cleanRow, type ImportRowInput } from './stage.js';
export { checkImportBatch, type CheckSummary } from './check.js';
export { startImport, runImport, failImport, processedRows, type RunImportOptions } from './run.js';
export { parseImportOptions, type ImportOptions } from './options.js';
