/** Stands in for wrangler's text import of htmx.min.js when src/cloudflare.ts runs under vitest. */
export default '/* htmx (test stand-in) */';
