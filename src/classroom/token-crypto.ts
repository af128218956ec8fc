import { base64url } from '../crypto-tokens.js';

/**
 * Refresh tokens at rest: AES-256-GCM with a key from TOKEN_ENCRYPTION_KEY, a fresh 96-bit IV per
 * value, and the owning account's id as additional data, so a ciphertext copied onto another
 * row does not decrypt. Web Crypto only: the same code runs on Node and in a Worker.
 */
const VERSION = 'v1';

export class TokenKeyError extends Error {}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** Reads a 32-byte key written as 64 hex digits or as base64 / base64url. */
export function parseTokenKey(text: string | undefined): Uint8Array<ArrayBuffer> {
  if (!text)
    throw new TokenKeyError(
      'TOKEN_ENCRYPTION_KEY is not set, so Google refresh tokens cannot be stored. Set it to 32 random bytes (64 hex digits or base64).',
    );
  const trimmed = text.trim();
  let bytes: Uint8Array<ArrayBuffer>;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    bytes = Uint8Array.from(trimmed.match(/../g)!, (h) => parseInt(h, 16));
  } else {
    try {
      bytes = fromBase64url(trimmed.replace(/=+$/, ''));
    } catch {
      throw new TokenKeyError('TOKEN_ENCRYPTION_KEY is neither hex nor base64.');
    }
  }
  if (bytes.length !== 32) throw new TokenKeyError(`TOKEN_ENCRYPTION_KEY must be 32 bytes; it is ${bytes.length}.`);
  return bytes;
}

export interface TokenCipher {
  encrypt(plaintext: string, boundTo: string): Promise<string>;
  decrypt(ciphertext: string, boundTo: string): Promise<string>;
}

export function createTokenCipher(keyText: string | undefined): TokenCipher {
  const raw = parseTokenKey(keyText);
  let key: Promise<CryptoKey> | undefined;
  const getKey = () => (key ??= crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
  const enc = new TextEncoder();
  return {
    async encrypt(plaintext, boundTo) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: enc.encode(boundTo) },
        await getKey(),
        enc.encode(plaintext),
      );
      return `${VERSION}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
    },
    async decrypt(ciphertext, boundTo) {
      const [version, iv, body] = ciphertext.split('.');
      if (version !== VERSION || !iv || !body) throw new TokenKeyError('The stored token is not in a format this version reads.');
      try {
        const opened = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: enc.encode(boundTo) },
          await getKey(),
          fromBase64url(body),
        );
        return new TextDecoder().decode(opened);
      } catch {
        throw new TokenKeyError('The stored token could not be decrypted (wrong TOKEN_ENCRYPTION_KEY, or the value was altered).');
      }
    },
  };
}

/** 32 random bytes as hex, for a development key file. */
export function generateTokenKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
