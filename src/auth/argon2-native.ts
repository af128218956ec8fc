import argon2 from 'argon2';
import type { PasswordHasher } from './passwords.js';

/** OWASP's argon2id baseline (19 MiB, 2 passes); parallelism 1 so concurrent hashes spread over libuv's pool. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const nativeArgon2: PasswordHasher = {
  hash: (password) => argon2.hash(password, ARGON2_OPTIONS),
  async verify(hash, password) {
    if (!hash) return false;
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  },
};
