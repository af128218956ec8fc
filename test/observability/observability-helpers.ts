import { createApp } from '../../src/app.js';
import type { AppConfig, AppDeps } from '../../src/http/types.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import { testConfig } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';

/** A logger whose JSON lines are kept for the test to read. */
export function capturingLogger(): { logger: Logger; lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** The app with a capturing logger, and whatever metrics or runner a test hands it. */
export function observedApp(db: TestDatabase, logger: Logger, options: { config?: Partial<AppConfig>; deps?: Partial<AppDeps> } = {}) {
  return createApp({ config: testConfig(options.config), services: () => ({ ...db.services, logger }), ...options.deps });
}
