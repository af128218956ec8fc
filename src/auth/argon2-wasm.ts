import { argon2id, argon2Verify } from 'hash-wasm';
import type { PasswordHasher } from './passwords.js';

/**
 * argon2id in WebAssembly, for runtimes without native addons (the Cloudflare Worker web tier).
 * Same parameters as the native hasher, so either verifies the other's hashes.
 */
export const wasmArgon2: PasswordHasher = {
  async hash(password) {
    const salt = new Uint8Array(16);
    crypto.getRandomValues(salt);
    return argon2id({ password, salt, parallelism: 1, iterations: 2, memorySize: 19456, hashLength: 32, outputType: 'encoded' });
  },
  async verify(hash, password) {
    if (!hash) return false;
    try {
      return await argon2Verify({ password, hash });
    } catch {
      return false;
    }
  },
};
