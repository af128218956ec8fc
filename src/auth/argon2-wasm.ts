import setupWasm from 'argon2id/lib/setup.js';
import { ARGON2_PARAMS, PasswordCheckError } from './argon2-params.js';
import type { PasswordHasher } from './passwords.js';

/**
 * argon2id in WebAssembly, for runtimes without native addons (the Cloudflare Worker web tier).
 * Workers refuse to compile WebAssembly from bytes at run time, so the modules come in already
 * compiled: wrangler bundles a `.wasm` import as a WebAssembly.Module (src/cloudflare.ts), and a
 * Node caller compiles the same files itself. Same parameters and PHC strings as the native hasher.
 */
export interface Argon2WasmModules {
  /** The SIMD build, used where the runtime supports it. */
  simd: WebAssembly.Module;
  noSimd: WebAssembly.Module;
}

type ComputeHash = Awaited<ReturnType<typeof setupWasm>>;

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
// The WebAssembly build refuses passwords under 8 bytes; we never set one (passwordProblem), so
// such a password cannot match a hash we made.
const MIN_PASSWORD_BYTES = 8;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '');
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export function createWasmArgon2(modules: Argon2WasmModules): PasswordHasher {
  let compute: Promise<ComputeHash> | undefined;
  const instantiate = (module: WebAssembly.Module) => async (imports: WebAssembly.Imports) => ({
    module,
    instance: await WebAssembly.instantiate(module, imports),
  });
  const load = () => (compute ??= setupWasm(instantiate(modules.simd), instantiate(modules.noSimd)));
  const encoder = new TextEncoder();

  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(ARGON2_PARAMS.saltBytes));
      const { memoryKiB: m, passes: t, parallelism: p, hashBytes } = ARGON2_PARAMS;
      const tag = (await load())({
        password: encoder.encode(password),
        salt,
        parallelism: p,
        passes: t,
        memorySize: m,
        tagLength: hashBytes,
      });
      return `$argon2id$v=19$m=${m},t=${t},p=${p}$${toBase64(salt)}$${toBase64(tag)}`;
    },
    async verify(hash, password) {
      if (!hash) return false;
      const parts = PHC.exec(hash);
      if (!parts) throw new PasswordCheckError('The stored password hash could not be checked: it is not an argon2id hash.');
      const bytes = encoder.encode(password);
      if (bytes.length < MIN_PASSWORD_BYTES) return false;
      try {
        const expected = fromBase64(parts[5]!);
        const tag = (await load())({
          password: bytes,
          salt: fromBase64(parts[4]!),
          memorySize: Number(parts[1]),
          passes: Number(parts[2]),
          parallelism: Number(parts[3]),
          tagLength: expected.length,
        });
        return equalBytes(tag, expected);
      } catch (error) {
        throw new PasswordCheckError('The password hash could not be computed.', { cause: error });
      }
    },
  };
}
