import { Hono } from 'hono';
import { staticFiles } from '../../../views/static/index.js';
import * as v from 'valibot';
import { text } from '../input/schemas.js';
import * as input from '../input/validate.js';
import type { AppEnv } from '../types.js';

export const staticRoutes = new Hono<AppEnv>()
  .get('/htmx.min.js', async (c) => {
    const body = await c.get('config').htmxSource();
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(body, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  })
  .get('/:name', input.param(v.object({ name: text('The file name', { max: 100 }) })), (c) => {
    const file = Object.hasOwn(staticFiles, c.req.valid('param').name) ? staticFiles[c.req.valid('param').name] : undefined;
    if (!file) return c.notFound();
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(file.body, 200, { 'Content-Type': file.type });
  });
