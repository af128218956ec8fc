import argon2 from 'argon2';
import { ARGON2_PARAMS, PasswordCheckError } from './argon2-params.js';
import type { PasswordHasher } from './passwords.js';

const OPTIONS = {
  type: argon2.argon2id,
  memoryCost: ARGON2_PARAMS.memoryKiB,
  timeCost: ARGON2_PARAMS.passes,
  parallelism: ARGON2_PARAMS.parallelism,
  hashLength: ARGON2_PARAMS.hashBytes,
  saltLength: ARGON2_PARAMS.saltBytes,
} as const;

/** argon2id through the native binding (its own thread pool, every core): the Node runtime's hasher. */
export const nativeArgon2: PasswordHasher = {
  hash: (password) => argon2.hash(password, OPTIONS),
  async verify(hash, password) {
    if (!hash) return false;
    try {
      return await argon2.verify(hash, password);
    } catch (error) {
      // A hash that cannot be read is broken data, not a wrong password: the caller must see it.
      throw new PasswordCheckError('The stored password hash could not be checked.', { cause: error });
    }
  },
};
