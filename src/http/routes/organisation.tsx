import { Hono } from 'hono';
import { getOrganisationSettings, updateOrganisationSettings } from '../../assignments/catalogue.js';
import { creditLedgerCsv, listCreditLedger } from '../../organisations/credits.js';
import type { ValidationError } from '../../errors.js';
import { setOrganisationTimeZone, timeZoneNames } from '../../organisations/time-zone.js';
import { OrganisationPage } from '../../../views/pages/organisation.js';
import { rerenderOn } from '../form-errors.js';
import { fields, flag, list, page as pageNumber, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { requireSignedIn, requireSystemAdmin } from '../middleware/guards.js';
import type { AppContext, AppEnv } from '../types.js';

const PageQuery = fields({ saved: text('saved'), page: pageNumber });
const TimeZoneForm = fields({ timeZone: text('Time zone', { max: 64 }) });
const SettingsForm = fields({ mayReassignCompleted: flag, welcomeEmailEnabled: flag, editions: list(text('An edition')) });

async function page(c: AppContext, extra: { notice?: string; error?: ValidationError; page?: number } = {}) {
  const ctx = c.get('ctx');
  const [settings, ledger] = await Promise.all([getOrganisationSettings(ctx), listCreditLedger(ctx, { page: extra.page ?? 1 })]);
  return c.render(
    <OrganisationPage
      csrfToken={c.get('csrfToken')}
      {...settings}
      timeZone={c.get('actor')?.timeZone ?? 'UTC'}
      timeZones={timeZoneNames()}
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
  .get('/', input.query(PageQuery), (c) => {
    const query = c.req.valid('query');
    return page(c, { ...(query.saved ? { notice: 'The settings were saved.' } : {}), page: query.page });
  })
  .get('/credits.csv', async (c) => {
    const csv = await creditLedgerCsv(c.get('ctx'));
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="credit-history.csv"',
    });
  })
  .post('/', input.form(SettingsForm), (c) =>
    rerenderOn(
      c,
      async () => {
        await updateOrganisationSettings(c.get('ctx'), c.req.valid('form'));
        return c.redirect('/organisation?saved=1', 303);
      },
      (error) => page(c, { error }),
    ),
  )
  .post('/time-zone', input.form(TimeZoneForm), (c) =>
    rerenderOn(
      c,
      async () => {
        await setOrganisationTimeZone(c.get('ctx'), c.req.valid('form').timeZone);
        return c.redirect('/organisation?saved=1', 303);
      },
      (error) => page(c, { error }),
    ),
  );
