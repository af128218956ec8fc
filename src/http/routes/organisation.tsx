import { Hono } from 'hono';
import { getOrganisationSettings, listCreditLedger, updateOrganisationSettings } from '../../assignments/catalogue.js';
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
  const [settings, ledger] = await Promise.all([getOrganisationSettings(ctx), listCreditLedger(ctx)]);
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
