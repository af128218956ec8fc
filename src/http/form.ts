import type { AppContext } from './types.js';

/** The submitted form as plain strings (repeated names become arrays under `all`). */
export async function readForm(c: AppContext): Promise<{ get(name: string): string; all(name: string): string[] }> {
  const body = await c.req.parseBody({ all: true });
  return {
    get(name) {
      const value = body[name];
      const first = Array.isArray(value) ? value[0] : value;
      return typeof first === 'string' ? first : '';
    },
    all(name) {
      const value = body[name] ?? body[`${name}[]`];
      const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
      return list.filter((v): v is string => typeof v === 'string');
    },
  };
}

export function clientAddress(c: AppContext): string | null {
  // X-Forwarded-For is not trusted: anyone can send it. Cloudflare sets cf-connecting-ip itself.
  const cf = c.req.header('cf-connecting-ip');
  if (cf) return cf;
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}
