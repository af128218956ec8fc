import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_FILE_BYTES } from '../../imports/csv/decode.js';
import type { AppEnv } from '../types.js';

/** Every form we serve fits in this; only the CSV upload carries a file. */
const MAX_FORM_BYTES = 1024 * 1024;
/** The largest CSV file we accept, and room for the multipart envelope and the other fields. */
const MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 256 * 1024;

/**
 * Refuses a body larger than any page of ours sends before anything reads it (the CSRF check
 * reads form bodies, so this comes first). A file a little over the import's limit still reaches
 * the upload page, which says how large it was and what to do; a larger one is sent back to it.
 */
export function bodySizeLimit(): MiddlewareHandler<AppEnv> {
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: (c) =>
        c.text(
          `This request is larger than ${limit / 1024 / 1024} MB, the most we accept, so nothing was read or changed. For a CSV import, split the file into smaller files and import them one after another.`,
          413,
        ),
    });
  // A person uploading a file far over the limit gets the upload page again, saying why (not a bare text answer).
  const upload = bodyLimit({ maxSize: MAX_UPLOAD_BYTES, onError: (c) => c.redirect('/imports/csv/upload?too-large=1', 303) });
  const form = tooLarge(MAX_FORM_BYTES);
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return (c.req.path === '/imports/csv/upload' ? upload : form)(c, next);
  };
}
