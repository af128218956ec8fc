/**
 * The argon2id parameters, written once for both hashers (native on Node, WebAssembly on
 * Workers), so either runtime verifies the other's hashes. OWASP's baseline: 19 MiB, 2 passes;
 * parallelism 1 so concurrent hashes spread over libuv's pool on Node. Changing them only
 * affects new hashes: a PHC string carries the parameters it was made with.
 */
export const ARGON2_PARAMS = {
  memoryKiB: 19456,
  passes: 2,
  parallelism: 1,
  hashBytes: 32,
  saltBytes: 16,
} as const;

/** A hash could not be checked (malformed, or the hasher itself failed): not a wrong password. */
export class PasswordCheckError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PasswordCheckError';
  }
}
