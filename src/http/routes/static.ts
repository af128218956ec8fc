import { Hono } from 'hono';
import { staticFiles } from '../../../views/static/index.js';
import type { AppEnv } from '../types.js';

export const staticRoutes = new Hono<AppEnv>()
  .get('/htmx.min.js', async (c) => {
    const body = await c.get('config').htmxSource();
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(body, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  })
  .get('/:name', (c) => {
    const file = staticFiles[c.req.param('name')];
    if (!file) return c.notFound();
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(file.body, 200, { 'Content-Type': file.type });
  });
