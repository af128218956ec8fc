/** Files bundled as text by wrangler's [[rules]] (see wrangler.toml). */
declare module '*/htmx.min.js' {
  const source: string;
  export default source;
}
