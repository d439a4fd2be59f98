import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { downloadTicketsFor, type DownloadGrant } from '../api/download-tickets.js';
import type { Studio } from '../api/studio.js';
import { toFoxError } from '../engine/errors.js';

/** `filename*` of Content-Disposition (RFC 6266 / 5987), with an ASCII fallback. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * An export (events, a store's rows) as a download: no Content-Length (the size is known only at the end), chunked
 * pages written as the browser takes them. A failure part-way resets the connection, so the
 * browser marks the download failed instead of keeping a file that looks complete.
 */
async function streamExport(res: ServerResponse, grant: Exclude<DownloadGrant, { kind: 'cas' }>, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': grant.type, 'content-disposition': contentDisposition(grant.name), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.flushHeaders();
  try {
    await grant.run(async (text) => {
      if (!res.write(text)) await once(res, 'drain', { signal });
    }, signal);
    res.end();
  } catch {
    res.destroy();
  }
}

/**
 * "Save as…" in browser mode: streams a CAS object as a download, re-hashed on the way. The last
 * chunk is held back until the whole object has hashed to its digest, so a corrupt object never
 * completes: the connection is cut short of Content-Length, the browser marks the download
 * failed and keeps no file. The URL carries a one-time ticket instead of the token (a navigation
 * cannot send headers); the Host check has already run.
 */
export async function handleDownload(_req: IncomingMessage, res: ServerResponse, studio: Studio, ticket: string): Promise<void> {
  const grant = downloadTicketsFor(studio.engine).take(ticket);
  if (!grant) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('This download link was already used or has expired: use Save as… again.\n');
    return;
  }
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the download was interrupted'));
  });
  if (grant.kind !== 'cas') return streamExport(res, grant, controller.signal);
  let head;
  try {
    head = await studio.engine.cas.head(grant.digest, { signal: controller.signal });
  } catch (err) {
    const fe = toFoxError(err);
    res.writeHead(fe.code === 'NOT_FOUND' ? 404 : 500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${fe.code}: ${fe.message}\n`);
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': head.size_bytes,
    'content-disposition': contentDisposition(grant.name),
    'cache-control': 'no-store',
    'x-foxctl-digest': grant.digest,
  });
  // The browser shows the download as started (and then failed, if it fails) rather than a dead link.
  res.flushHeaders();
  // getTo reads through reused buffers: the held-back chunk is a copy, written once the next one arrives.
  const pending: { chunk: Buffer | null; sent: number } = { chunk: null, sent: 0 };
  try {
    await studio.engine.cas.getTo(
      grant.digest,
      async (chunk) => {
        if (pending.chunk) {
          pending.sent += pending.chunk.length;
          if (!res.write(pending.chunk)) await once(res, 'drain', { signal: controller.signal });
        }
        pending.chunk = Buffer.from(chunk);
      },
      { signal: controller.signal },
    );
    // getTo resolved: every byte hashed to the digest. The last chunk goes only if the total is what we announced.
    if (pending.sent + (pending.chunk?.length ?? 0) !== head.size_bytes) throw new Error('the object changed size while it was read');
    res.end(pending.chunk ?? undefined);
  } catch {
    // Short of Content-Length and reset: no browser completes this download.
    res.destroy();
  }
}
