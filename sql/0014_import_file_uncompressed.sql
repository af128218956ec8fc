-- The uploaded file is kept only until its import finishes (then set to null) and is read back
-- whole each time its rows are staged. Stored uncompressed, it costs no compression on upload and
-- no decompression at each staging; the extra space (a few MB a file) lasts only as long as the import.
ALTER TABLE import_batches ALTER COLUMN file_text SET STORAGE EXTERNAL;
