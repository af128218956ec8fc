import type { AppContext } from './types.js';

/** What an address looks like (IPv4, IPv6, IPv4-mapped IPv6); anything else is not one. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

function normalise(raw: string | undefined): string | null {
  const value = raw?.trim().replace(/^\[(.*)\]$/, '$1') ?? '';
  if (!ADDRESS.test(value)) return null;
  return value.toLowerCase().startsWith('::ffff:') && value.includes('.') ? value.slice(7) : value;
}

/**
 * The address of the person at the other end, for the sign-in throttle. On Node it is the socket's
 * peer, unless TRUST_PROXY says how many proxies (a load balancer, a reverse proxy) stand in front:
 * then each of them appended the address it saw to X-Forwarded-For, and the client is the entry
 * that many hops from the right. Entries further left were written by the client and are not
 * believed. In a Cloudflare Worker there is no socket: Cloudflare's own cf-connecting-ip is used
 * (on Node that header is not trusted, since anyone can send it).
 */
export function clientAddress(c: AppContext): string | null {
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  if (!socket) return normalise(c.req.header('cf-connecting-ip'));
  return addressFromChain(socket.remoteAddress, c.req.header('x-forwarded-for'), c.get('config').env.TRUST_PROXY);
}

/** The client's address from the socket's peer, X-Forwarded-For and the number of trusted proxy hops. */
export function addressFromChain(peer: string | undefined, forwardedFor: string | undefined, trustedHops: number): string | null {
  const chain = [...(trustedHops > 0 && forwardedFor ? forwardedFor.split(',') : []), peer ?? ''];
  const index = Math.max(0, chain.length - 1 - trustedHops);
  return normalise(chain[index]);
}
