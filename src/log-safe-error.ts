/**
 * Turns any error into something safe to write to a log: what failed and where, never the values
 * it failed on. Database errors carry their query's parameters (drizzle's DrizzleQueryError puts
 * them in its message; postgres.js attaches them to the error) and PostgreSQL's own text quotes the
 * offending value ("invalid input syntax for type uuid: "…"", a unique key's detail), so a failed
 * insert would otherwise print an email or a password hash. Every logger (the web error handler,
 * the job runner) goes through this one function.
 */
export interface SafeError {
  name: string;
  message: string;
  /** PostgreSQL's SQLSTATE or Node's error code. */
  code?: string;
  severity?: string;
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
  stack?: string;
  cause?: SafeError;
}

const MAX_DEPTH = 4;

/** Quoted values and `(key)=(value)` pairs are the parts of a database message that hold data. */
function redact(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/\)=\((?:[^)]*)\)/g, ')=(…)');
}

function isDrizzleQueryError(error: Error): boolean {
  return error.constructor?.name === 'DrizzleQueryError' || (error.message.startsWith('Failed query: ') && 'params' in error);
}

function isDatabaseError(error: Error): boolean {
  return error.name === 'PostgresError' || 'severity_local' in error || 'parameters' in error;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** The stack's frames without its first lines (which repeat the message). */
function framesOf(error: Error): string | undefined {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.join('\n') : undefined;
}

export function safeError(error: unknown, depth = 0): SafeError {
  if (!(error instanceof Error))
    return { name: typeof error, message: typeof error === 'string' ? redact(error) : 'A value that is not an Error was thrown.' };
  if (isDrizzleQueryError(error)) {
    // The message is "Failed query: <sql>\nparams: <values>": only the cause is kept.
    const cause = error.cause !== undefined && depth < MAX_DEPTH ? safeError(error.cause, depth + 1) : undefined;
    return { name: 'DrizzleQueryError', message: 'A database query failed.', ...(cause ? { cause } : {}) };
  }
  const e = error as Error & Record<string, unknown>;
  const database = isDatabaseError(error);
  const message = database ? redact(error.message) : error.message;
  const out: SafeError = { name: error.name, message };
  const code = text(e.code);
  if (code) out.code = code;
  if (database) {
    for (const [from, to] of [
      ['severity', 'severity'],
      ['table_name', 'table'],
      ['column_name', 'column'],
      ['constraint_name', 'constraint'],
      ['routine', 'routine'],
    ] as const) {
      const value = text(e[from]);
      if (value) out[to] = value;
    }
  }
  const frames = framesOf(error);
  if (frames) out.stack = `${out.name}: ${out.message}\n${frames}`;
  if (e.cause !== undefined && depth < MAX_DEPTH) out.cause = safeError(e.cause, depth + 1);
  return out;
}

/** Writes one error line to stderr: a label saying what was being done, and the safe error. */
export function logError(label: string, error: unknown): void {
  console.error(label, JSON.stringify(safeError(error)));
}
