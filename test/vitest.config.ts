import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    // src/cloudflare.ts imports htmx as text (a wrangler rule); under vitest a stand-in module serves.
    alias: [{ find: /^.*\/htmx\.min\.js$/, replacement: `${root}test/helpers/htmx-text.ts` }],
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/setup/global-setup.ts'],
    setupFiles: ['test/setup/fail-on-console-error.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file has its own database cloned from a migrated template, so files run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
