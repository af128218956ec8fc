import { Hono } from 'hono';
import { getOrganisationSettings, updateOrganisationSettings } from '../../assignments/catalogue.js';
import { creditLedgerCsv, listCreditLedger } from '../../organisations/credits.js';
import type { Ctx } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { OrganisationPage } from '../../../views/pages/organisation.js';
import { readForm } from '../form.js';
import { requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

function ctxOf(c: AppContext): Ctx {
  return { ...c.get('services'), actor: c.get('actor')! };
}

async function page(c: AppContext, extra: { notice?: string; error?: ValidationError } = {}) {
  const ctx = ctxOf(c);
  const page = Number.parseInt(c.req.query('page') ?? '1', 10);
  const [settings, ledger] = await Promise.all([getOrganisationSettings(ctx), listCreditLedger(ctx, { page: Number.isFinite(page) ? page : 1 })]);
  return c.render(
    <OrganisationPage
      csrfToken={c.get('csrfToken')}
      {...settings}
      ledger={ledger}
      notice={extra.notice ?? null}
      error={extra.error?.message ?? null}
      fields={extra.error?.fields ?? {}}
    />,
    { title: 'Organisation' },
  );
}

export const organisationRoutes = new Hono<AppEnv>()
  .use(requireSignedIn(), requireSystemAdmin())
  .get('/', (c) => page(c, c.req.query('saved') ? { notice: 'The settings were saved.' } : {}))
  .get('/credits.csv', async (c) => {
    const csv = await creditLedgerCsv(ctxOf(c));
    return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="credit-history.csv"' });
  })
  .post('/', async (c) => {
    const form = await readForm(c);
    try {
      await updateOrganisationSettings(ctxOf(c), {
        mayReassignCompleted: form.get('mayReassignCompleted') === '1',
        welcomeEmailEnabled: form.get('welcomeEmailEnabled') === '1',
        editions: form.all('editions'),
      });
      return c.redirect('/organisation?saved=1', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      c.status(400);
      return page(c, { error });
    }
  });
