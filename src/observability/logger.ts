import pino from 'pino';
import type { LogLevel } from './log-levels.js';

/**
 * Structured logs: one JSON object a line (pino), readable when stdout is a terminal. Features
 * get a logger through their context (Services.logger), bound to the request or job they serve;
 * nothing imports a global one. Lines carry ids, never personal data or secrets: the fields
 * below are censored should a caller ever pass them, and errors go through one serializer that
 * keeps what failed and where, not the values it failed on.
 */
export type Logger = pino.Logger;

export { LOG_LEVELS, type LogLevel } from './log-levels.js';

/** Keys that must never reach a log line, at the top level or one object down. */
const SECRET_KEYS = [
  'email',
  'password',
  'passwordHash',
  'password_hash',
  'token',
  'cookie',
  'authorization',
  'firstName',
  'lastName',
  'refreshToken',
  'accessToken',
  'secret',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`]);

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines (pino-pretty as a transport); for a terminal, not for collectors. */
  pretty?: boolean;
  /** Where each JSON line goes instead of stdout (the Workers runtime and tests). */
  write?: (line: string) => void;
}

/** A database error's message holds its query and parameters: only the kind of failure is kept. */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, message: 'A value that is not an Error was thrown.' };
  const e = error as Error & { code?: unknown; cause?: unknown };
  const fromDatabase = e.message.startsWith('Failed query:') || e.name === 'PostgresError' || 'severity_local' in e;
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12);
  return {
    type: e.name,
    message: fromDatabase ? 'A database query failed.' : e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(frames.length ? { stack: frames.join('\n') } : {}),
    ...(e.cause !== undefined && e.cause !== error ? { cause: loggableError(e.cause) } : {}),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write;
  const config: pino.LoggerOptions = {
    level: options.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: loggableError, error: loggableError },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // The Workers bundle takes pino's browser build: it hands each line over as an object.
    browser: { asObject: true, write: (line) => (write ?? console.log)(JSON.stringify(line)) },
  };
  if (write) return pino(config, { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) });
  if (options.pretty)
    return pino({ ...config, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  return pino(config);
}

/** A logger for a Node process: pretty on a terminal, JSON lines otherwise. */
export function createProcessLogger(level: LogLevel): Logger {
  return createLogger({ level, pretty: Boolean(process.stdout.isTTY) });
}
