import { parseArgs } from 'node:util';
import { parseEnv } from '../env.js';
import { startNodeRuntime } from '../node-runtime.js';
import { seedOrganisation } from './seed.js';

/** `npm run seed -- --accounts 100000`: a large organisation for benchmarks and manual testing. */
const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '100000' },
    name: { type: 'string', default: 'Benchmark District' },
  },
});
const count = Number(values.accounts);
if (!Number.isInteger(count) || count < 1 || count > 2_000_000) {
  console.error('--accounts must be a whole number from 1 to 2000000.');
  process.exit(2);
}
const runtime = await startNodeRuntime(parseEnv(process.env));
const started = performance.now();
const domain = `bench${Date.now().toString(36)}.test`;
const result = await seedOrganisation(runtime.services, { name: values.name!, domain, accounts: count });
console.log(`Created "${values.name}" with ${count} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
console.log(`System administrator: ${result.systemAdminEmail}  password: ${result.password}`);
await runtime.close();
