/** The levels LOG_LEVEL accepts (pino's), kept apart from the logger so the env schema needs no pino. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
