/**
 * Password hashing is injected: the Node runtime uses the native argon2 binding (its own thread
 * pool, every core), a Worker runtime would bring a WebAssembly one. Both produce argon2id PHC strings.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password, a null hash or a malformed hash. */
  verify(hash: string | null, password: string): Promise<boolean>;
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** A message for a person, or null when the password is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  return null;
}
