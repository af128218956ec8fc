import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, generateTokenKey, parseTokenKey } from '../../src/classroom/token-crypto.js';
import { parseEnv } from '../../src/env.js';
import { withTokenKey } from '../../src/node-runtime.js';

describe('Classroom configuration', () => {
  it('reads the sync schedule and the guard, naming a bad variable', () => {
    expect(parseEnv({}).CLASSROOM_SYNC_SCHEDULE).toBe('0 */6 * * *');
    expect(parseEnv({ CLASSROOM_SYNC_SCHEDULE: '*/30 * * * *' }).CLASSROOM_SYNC_SCHEDULE).toBe('*/30 * * * *');
    expect(parseEnv({}).CLASSROOM_REMOVAL_GUARD_PERCENT).toBe(20);
    expect(() => parseEnv({ CLASSROOM_SYNC_SCHEDULE: 'every six hours' })).toThrow(/CLASSROOM_SYNC_SCHEDULE/);
    expect(() => parseEnv({ GOOGLE_API_ROOT: 'not a url' })).toThrow(/GOOGLE_API_ROOT/);
  });
});

describe('refresh tokens at rest', () => {
  it('AES-256-GCM round trip, a fresh IV each time, bound to its account', async () => {
    const cipher = createTokenCipher(generateTokenKey());
    const a = await cipher.encrypt('1//refresh-token', 'account-1');
    const b = await cipher.encrypt('1//refresh-token', 'account-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token');
    expect(await cipher.decrypt(a, 'account-1')).toBe('1//refresh-token');
    await expect(cipher.decrypt(a, 'account-2')).rejects.toThrow(/could not be decrypted/);
    const tampered = a.slice(0, -2) + (a.endsWith('A') ? 'B' : 'A') + a.slice(-1);
    await expect(cipher.decrypt(tampered, 'account-1')).rejects.toThrow(/could not be decrypted/);
    await expect(createTokenCipher(generateTokenKey()).decrypt(a, 'account-1')).rejects.toThrow(/wrong TOKEN_ENCRYPTION_KEY/);
  });

  it('reads the key as hex or base64 and refuses other lengths', () => {
    expect(parseTokenKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseTokenKey(Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
    expect(() => parseTokenKey(Buffer.alloc(16).toString('base64'))).toThrow(/must be 32 bytes/);
    expect(() => parseTokenKey(undefined)).toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
  });

  it('npm start makes a development key under the data folder once, and reuses it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rb-key-'));
    try {
      const lines: string[] = [];
      const first = await withTokenKey(parseEnv({ NODE_ENV: 'development' }), dir, (l) => lines.push(l));
      expect(first.TOKEN_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
      expect(lines.join()).toContain('made a development key');
      const file = path.join(dir, 'token-encryption.key');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const again = await withTokenKey(parseEnv({ NODE_ENV: 'development' }), dir, () => {});
      expect(again.TOKEN_ENCRYPTION_KEY).toBe(first.TOKEN_ENCRYPTION_KEY);
      expect((await readFile(file, 'utf8')).trim()).toBe(first.TOKEN_ENCRYPTION_KEY);
      const given = await withTokenKey(parseEnv({ NODE_ENV: 'development', TOKEN_ENCRYPTION_KEY: 'cd'.repeat(32) }), dir, () => {});
      expect(given.TOKEN_ENCRYPTION_KEY).toBe('cd'.repeat(32));
      await expect(withTokenKey(parseEnv({ NODE_ENV: 'production' }), dir, () => {})).rejects.toThrow(
        /TOKEN_ENCRYPTION_KEY must be set in production/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
