import { parseArgs } from 'node:util';
import { parseEnv } from '../env.js';
import { DomainError, ValidationError } from '../errors.js';
import { startNodeRuntime } from '../node-runtime.js';
import { addCredits } from '../organisations/credits.js';
import { createOrganisation } from '../organisations/create-organisation.js';

/**
 * Operator commands for what no school can do in the product. They call the same feature
 * functions as the pages:
 *   npm run org -- create --name "Maple Grove" --admin-email head@school.org [--first-name A --last-name B]
 *   npm run org -- credits --org <id or name> --add 500 --note "order 1234"
 */
const USAGE = `Usage:
  npm run org -- create --name "Maple Grove" --admin-email head@school.org [--first-name Ada --last-name Lovelace]
  npm run org -- credits --org <organisation id or name> --add 500 --note "order 1234"`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'admin-email': { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        org: { type: 'string' },
        add: { type: 'string' },
        note: { type: 'string' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
}

/** The feature's field names, as the flags that set them. */
const FLAGS: Record<string, string> = {
  adminEmail: 'admin-email',
  adminFirstName: 'first-name',
  adminLastName: 'last-name',
  organisation: 'org',
};

function describe(error: DomainError): string {
  const fields = error instanceof ValidationError ? Object.entries(error.fields).map(([k, m]) => `  --${FLAGS[k] ?? k}: ${m}`) : [];
  return [error.message, ...fields].join('\n');
}

const { values, positionals } = parse();
const command = positionals[0];
if (command !== 'create' && command !== 'credits') fail(`Say what to do: create or credits.\n${USAGE}`);

const runtime = await startNodeRuntime(parseEnv(process.env), { log: () => {} });
let exitCode = 0;
try {
  if (command === 'create') {
    const made = await createOrganisation(runtime.services, {
      name: values.name ?? '',
      adminEmail: values['admin-email'] ?? '',
      adminFirstName: values['first-name'],
      adminLastName: values['last-name'],
    });
    console.log(`Created the organisation "${made.name}" (${made.organisationId}).`);
    console.log(
      `Its first system administrator is ${made.adminEmail}. Send them this one-time sign-in link (it works once, within 72 hours) to choose a password:`,
    );
    console.log(made.signInLink);
  } else {
    const done = await addCredits(runtime.services, { organisation: values.org ?? '', add: values.add ?? '', note: values.note ?? '' });
    const verb = done.added > 0 ? `Added ${done.added} credits to` : `Removed ${-done.added} credits from`;
    console.log(`${verb} "${done.name}" (${done.organisationId}). The balance is now ${done.balance} credits.`);
  }
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  console.error(describe(error));
  exitCode = 2;
} finally {
  await runtime.close();
}
process.exit(exitCode);
