import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createWasmArgon2 } from '../../src/auth/argon2-wasm.js';
import type { PasswordHasher } from '../../src/auth/passwords.js';

/** The Workers hasher in Node: the same .wasm files wrangler bundles, compiled here from bytes. */
export async function wasmArgon2InNode(): Promise<PasswordHasher> {
  const require = createRequire(import.meta.url);
  const compile = async (file: string) => new WebAssembly.Module(await readFile(require.resolve(`argon2id/dist/${file}`)));
  return createWasmArgon2({ simd: await compile('simd.wasm'), noSimd: await compile('no-simd.wasm') });
}
