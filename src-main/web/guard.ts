import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FoxError } from '../engine/errors.js';

/** A fresh token for one start of browser mode: 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Refuses a listen address that is not loopback: browser mode is never reachable from the network. */
export function assertLoopbackHost(host: string): void {
  if (!LOOPBACK.has(host)) {
    throw new FoxError('INVALID_INPUT', `browser mode listens on loopback only (127.0.0.1, ::1 or localhost), not "${host}"`, { subject: 'studio --host' });
  }
}

/** The Host header values a request may carry: our loopback names with our port, nothing else. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/** Why a request is refused before it reaches a handler, or null when it may proceed. */
export interface Refusal {
  status: 401 | 403;
  reason: string;
}

/**
 * The Host check against DNS rebinding: a page on evil.example that resolves to 127.0.0.1 still
 * sends `Host: evil.example`. Browsers always send Host, so a missing one is refused too.
 */
export function checkHost(req: IncomingMessage, hosts: Set<string>): Refusal | null {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !hosts.has(host)) return { status: 403, reason: `foreign Host header ${JSON.stringify(host ?? '')}` };
  // A cross-origin page may not even try: its Origin is not one of ours (no CORS is ever granted).
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost = '';
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      // An unparsable Origin is foreign.
    }
    if (!hosts.has(originHost)) return { status: 403, reason: `foreign Origin ${JSON.stringify(origin)}` };
  } else if (origin === 'null') {
    return { status: 403, reason: 'opaque Origin "null"' };
  }
  return null;
}

/** The token check, in constant time; the token travels in a header, never in a URL we log. */
export function checkToken(req: IncomingMessage, token: string, header: string): Refusal | null {
  const given = req.headers[header];
  if (typeof given !== 'string' || given.length === 0) return { status: 401, reason: `missing ${header} header` };
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { status: 401, reason: `wrong ${header}` };
  return null;
}
