import { Hono } from 'hono';
import { getOrganisationSettings, listCreditLedger, updateOrganisationSettings } from '../../assignments/catalogue.js';
import { ValidationError } from '../../errors.js';
import { OrganisationPage } from '../../../views/pages/organisation.js';
import { rerenderOn } from '../form-errors.js';
import { fields, flag, list, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const SavedQuery = fields({ saved: text('saved') });
const SettingsForm = fields({ mayReassignCompleted: flag, welcomeEmailEnabled: flag, editions: list(text('An edition')) });

async function page(c: AppContext, extra: { notice?: string; error?: ValidationError } = {}) {
  const ctx = c.get('ctx');
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
  .get('/', input.query(SavedQuery), (c) => page(c, c.req.valid('query').saved ? { notice: 'The settings were saved.' } : {}))
  .post('/', input.form(SettingsForm), (c) =>
    rerenderOn(
      c,
      async () => {
        await updateOrganisationSettings(c.get('ctx'), c.req.valid('form'));
        return c.redirect('/organisation?saved=1', 303);
      },
      (error) => page(c, { error }),
    ),
  );
