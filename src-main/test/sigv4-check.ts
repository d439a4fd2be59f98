import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Koa-style context: just the parts the check reads and writes. */
interface KoaLikeContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}
type Next = () => Promise<void>;

const hmac = (key: crypto.BinaryLike, data: string): Buffer => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The SigV4 signature of a request as a server holding `secret` computes it (S3 rules: no double URI encoding). */
export function sigV4Signature(req: { method: string; url: string; headers: IncomingMessage['headers'] }, signedHeaders: string[], scope: string[], secret: string): string {
  const [date, region, service] = scope;
  const u = new URL(req.url, 'http://x');
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const header = (h: string): string => {
    const v = req.headers[h];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const canonical = [req.method, u.pathname, query, ...signedHeaders.map((h) => `${h}:${header(h)}`), '', signedHeaders.join(';'), header('x-amz-content-sha256') || 'UNSIGNED-PAYLOAD'].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', header('x-amz-date'), scope.join('/'), crypto.createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  return hmac(key, toSign).toString('hex');
}

/**
 * A Koa middleware that checks SigV4 Authorization headers against `secretOf(id)`, as real
 * S3 does and s3rver does not (it accepts any V4 signature of a known key id): a wrong secret gets
 * S3's own 403 SignatureDoesNotMatch.
 */
export function sigV4Check(secretOf: (accessKeyId: string) => string | undefined): (ctx: KoaLikeContext, next: Next) => Promise<void> {
  return async (ctx, next) => {
    const auth = ctx.req.headers.authorization;
    const m = auth ? /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth) : null;
    if (m) {
      const [, id, scope, signed, provided] = m;
      const secret = secretOf(id!);
      if (secret !== undefined) {
        const expected = sigV4Signature({ method: ctx.method, url: ctx.req.url ?? '/', headers: ctx.req.headers }, signed!.split(';'), scope!.split('/'), secret);
        if (expected !== provided) {
          ctx.status = 403;
          ctx.set('Content-Type', 'application/xml');
          ctx.body =
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message></Error>';
          return;
        }
      }
    }
    await next();
  };
}
