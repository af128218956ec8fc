/**
 * The README's Layout arrows, checked by `npm run lint` (dependency-cruiser).
 * A feature is src/<feature>/ or a shared module at the top of src/; the composition roots
 * (app.ts, server.ts, cloudflare.ts, node-runtime.ts) wire features, routes and the runner together.
 */
const FEATURES = '^src/(accounts|assignments|auth|classroom|groups|imports|job-queue|mail|observability|organisations|tags)/';
const SHARED =
  '^src/(audit|concurrency|context|cpu-share|crypto-tokens|env|errors|ids|jobs|log-safe-error|pagination|safe-redirect|thread-pool)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles hide which module is the lower layer; move the shared piece into a module both can import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'views-take-types-only',
      comment: 'views/ are pure functions of their props: they may import types from src/, never runtime code.',
      severity: 'error',
      from: { path: '^views/' },
      to: { path: '^src/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'features-not-http-or-worker',
      comment:
        'The domain does not know how it is called or shown: routes (src/http/) and tasks (worker/) call features and routes render views, not the other way round.',
      severity: 'error',
      from: { path: [FEATURES, SHARED] },
      to: { path: ['^src/http/', '^worker/', '^views/'] },
    },
    {
      name: 'db-imports-no-feature',
      comment: 'src/db/ (schema, connection, migrations) sits below every feature.',
      severity: 'error',
      from: { path: '^src/db/', pathNot: '^src/db/(seed|seed-cli|org-cli|seed-catalogue)\\.ts$' },
      to: { path: FEATURES },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
