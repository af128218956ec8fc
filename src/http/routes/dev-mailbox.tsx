import { Hono } from 'hono';
import { getMailboxMessage, listMailbox } from '../../mail/mailbox.js';
import { MailboxMessagePage, MailboxPage } from '../../../views/pages/mailbox.js';
import { requireAdministrator, requireSignedIn } from '../middleware/guards.js';
import { idParam } from '../input/schemas.js';
import * as input from '../input/validate.js';
import type { AppEnv } from '../types.js';

/** The development mailbox. It does not exist when an email provider is configured or in production. */
export const devMailboxRoutes = new Hono<AppEnv>()
  .use(async (c, next) => (c.get('config').devMailbox ? next() : c.notFound()))
  .use(requireSignedIn(), requireAdministrator())
  .get('/', async (c) => {
    const messages = await listMailbox(c.get('ctx'));
    return c.render(<MailboxPage messages={messages} />, { title: 'Mailbox' });
  })
  .get('/:id', input.param(idParam), async (c) => {
    const message = await getMailboxMessage(c.get('ctx'), c.req.valid('param').id);
    return c.render(<MailboxMessagePage message={message} />, { title: message.subject });
  });
