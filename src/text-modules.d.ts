/** Files bundled as text by wrangler's [[rules]] (see wrangler.toml). */
declare module '*/htmx.min.js' {
  const source: string;
  export default source;
}

/** WebAssembly files bundled by wrangler as compiled modules (its default CompiledWasm rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
