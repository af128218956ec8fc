import { Hono, type MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { createSession } from '../../auth/sessions.js';
import { AddOnLaunchSchema, addOnState, issueAddOnHandoff, redeemAddOnHandoff, type AddOnLaunch } from '../../classroom/add-on.js';
import { findLinkByCourse, requestSync } from '../../classroom/links.js';
import { AddOnDiscoveryPage, AddOnDocument, AddOnHandoffPage, launchParams } from '../../../views/pages/classroom-add-on.js';
import { fields, secret, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import { setAddOnSessionCookie } from '../session-cookie.js';
import type { AppContext, AppEnv } from '../types.js';
import { googleConfigOf, startConsent, startGoogleSignIn } from './classroom-connect.js';

/**
 * With the built-in sandbox, our own pages play Classroom: on our origin, or on another loopback
 * origin of this same server (localhost against 127.0.0.1), so the frame is cross-site as under
 * classroom.google.com and the browser treats its cookies as third-party.
 */
const SANDBOX_FRAME_ANCESTORS = "'self' http://localhost:* http://127.0.0.1:*";

/** Classroom frames the add-on (CLASSROOM_ADD_ON_FRAME_ORIGINS). */
function frameableByClassroom(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origins = c.get('config').env.CLASSROOM_ADD_ON_FRAME_ORIGINS;
    c.set('frameAncestors', googleConfigOf(c).sandbox ? `${origins} ${SANDBOX_FRAME_ANCESTORS}` : origins);
    await next();
  };
}

/** Classroom's launch parameters; an empty one counts as absent. */
const LaunchQuery = v.pipe(
  fields({
    courseId: text('courseId', { max: 64 }),
    itemId: text('itemId', { max: 128 }),
    addOnToken: text('addOnToken', { max: 4096 }),
    login_hint: text('login_hint', { max: 254 }),
  }),
  v.transform((q): v.InferInput<typeof AddOnLaunchSchema> => {
    const { courseId, ...rest } = q;
    return { courseId, ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== '')) };
  }),
  AddOnLaunchSchema,
);

const launchQuery = () =>
  input.query(LaunchQuery, { message: 'This page is opened by Google Classroom, with the class it was opened from.' });

/** The popup's pages keep their opener (the add-on frame, under Classroom's page), so they can post back to it. */
function keepOpener(c: AppContext): void {
  c.header('Cross-Origin-Opener-Policy', 'unsafe-none');
}

const asQuery = (launch: AddOnLaunch) => new URLSearchParams(launchParams(launch)).toString();

const HandoffForm = fields({ token: secret('The sign-in token', 200) });

/** The Classroom add-on's iframe pages: the only pages of Rosterbridge that may be framed, and only by Classroom. */
export const classroomAddOnRoutes = new Hono<AppEnv>()
  .use(frameableByClassroom())
  .get('/attachment-discovery', launchQuery(), async (c) => {
    const launch: AddOnLaunch = c.req.valid('query');
    const state = await addOnState(c.get('services'), c.get('actor'), launch);
    const here = `/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`;
    return c.html(
      '<!DOCTYPE html>' +
        (
          <AddOnDocument title="Rosterbridge add-on" csrfToken={c.get('csrfToken')} sandbox={googleConfigOf(c).sandbox}>
            <AddOnDiscoveryPage csrfToken={c.get('csrfToken')} state={state} launch={launch} here={here} />
          </AddOnDocument>
        ).toString(),
    );
  })
  // "Sign in with Google", in a popup opened by the frame (first-party there): Google's sign-in,
  // and its consent when the teacher is not connected yet, then the hand-off back to the frame.
  .get('/popup', launchQuery(), async (c) => {
    keepOpener(c);
    const launch: AddOnLaunch = c.req.valid('query');
    const actor = c.get('actor');
    const handoff = `/classroom-add-on/handoff?${asQuery(launch)}`;
    if (!actor) return startGoogleSignIn(c, `/classroom-add-on/popup?${asQuery(launch)}`, launch.login_hint ?? null);
    const state = await addOnState(c.get('services'), actor, launch);
    if (state.kind === 'connect' || state.kind === 'other-account') return startConsent(c, handoff, launch.login_hint ?? '');
    return c.redirect(handoff, 303);
  })
  // The popup's last page: a single-use token for the frame, posted to it (our origin only) by /static/add-on.js.
  .get('/handoff', launchQuery(), async (c) => {
    keepOpener(c);
    const launch: AddOnLaunch = c.req.valid('query');
    const actor = c.get('actor');
    if (actor?.kind !== 'administrator') return c.redirect(`/classroom-add-on/popup?${asQuery(launch)}`, 303);
    const token = await issueAddOnHandoff(c.get('services'), actor.id);
    return c.html(
      '<!DOCTYPE html>' +
        (
          <AddOnDocument title="Signed in" csrfToken={c.get('csrfToken')} sandbox={googleConfigOf(c).sandbox}>
            <AddOnHandoffPage token={token} origin={new URL(c.get('config').appUrl).origin} />
          </AddOnDocument>
        ).toString(),
    );
  })
  // The frame trades the popup's token for a session of its own, in a partitioned cookie.
  .post('/session', input.form(HandoffForm), async (c) => {
    const origin = c.req.header('origin');
    if (origin !== new URL(c.get('config').appUrl).origin)
      return c.text('This request was not sent by the Rosterbridge add-on, so it was refused.', 403);
    const accountId = await redeemAddOnHandoff(c.get('services'), c.req.valid('form').token);
    if (!accountId) return c.text('This sign-in was used already or took too long. Choose Sign in with Google again.', 400);
    const { token } = await createSession(c.get('services'), accountId);
    setAddOnSessionCookie(c, token);
    return c.body(null, 204);
  })
  .post('/sync', launchQuery(), async (c) => {
    const launch: AddOnLaunch = c.req.valid('query');
    const actor = c.get('actor');
    if (actor?.kind !== 'administrator') return c.notFound();
    const ctx = c.get('ctx');
    const link = await findLinkByCourse(ctx, launch.courseId);
    if (!link) return c.notFound();
    await requestSync(ctx, link.id);
    return c.redirect(`/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`, 303);
  });
