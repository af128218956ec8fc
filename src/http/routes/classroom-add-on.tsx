import { Hono, type MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { AddOnLaunchSchema, addOnState, type AddOnLaunch } from '../../classroom/add-on.js';
import { findLinkByCourse, requestSync } from '../../classroom/links.js';
import { AddOnDiscoveryPage, AddOnDocument, launchParams } from '../../../views/pages/classroom-add-on.js';
import { fields, text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import type { AppEnv } from '../types.js';
import { googleConfigOf, startGoogleSignIn } from './classroom-connect.js';

/** Classroom frames the add-on; with the built-in sandbox, our own origin plays Classroom. */
function frameableByClassroom(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('frameAncestors', googleConfigOf(c).sandbox ? "https://classroom.google.com 'self'" : 'https://classroom.google.com');
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

const launchQuery = () => input.query(LaunchQuery, { message: 'This page is opened by Google Classroom, with the class it was opened from.' });

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
  // "Sign in with Google", opened in a new tab from the frame; back to the add-on page once signed in.
  .get('/sign-in', launchQuery(), async (c) => {
    const launch: AddOnLaunch = c.req.valid('query');
    return startGoogleSignIn(c, `/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`, launch.login_hint ?? null);
  })
  .post('/sync', launchQuery(), async (c) => {
    const launch: AddOnLaunch = c.req.valid('query');
    const actor = c.get('actor');
    if (!actor || actor.kind !== 'administrator') return c.notFound();
    const ctx = c.get('ctx');
    const link = await findLinkByCourse(ctx, launch.courseId);
    if (!link) return c.notFound();
    await requestSync(ctx, link.id);
    return c.redirect(`/classroom-add-on/attachment-discovery?${new URLSearchParams(launchParams(launch))}`, 303);
  });
