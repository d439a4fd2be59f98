import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { HTTP, UPLOADS, isUploadName, type Result } from '../../src-preload/contract.js';
import type { Studio } from '../api/studio.js';
import { toBridgeError } from '../api/dispatch.js';
import { FoxError } from '../engine/errors.js';

function finish(res: ServerResponse, result: Result<unknown>): void {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(result));
}

/**
 * A streamed upload: the request body goes straight into the engine as a job (never buffered),
 * the response headers name the job at once so the page follows its progress, and the body
 * carries the result when it ends. A client that goes away cancels the job, which removes its
 * temp file. Refused input is answered before a byte is stored.
 */
export async function handleUpload(req: IncomingMessage, res: ServerResponse, studio: Studio, name: string, params: URLSearchParams): Promise<void> {
  const refuse = (err: unknown): void => {
    // Drop the body the client is still sending so it reads the answer instead of a reset.
    req.resume();
    finish(res, { ok: false, error: toBridgeError(err) });
  };
  if (!isUploadName(name)) return refuse(new FoxError('INVALID_INPUT', `unknown upload ${JSON.stringify(name)}; the bridge has: ${Object.keys(UPLOADS).join(', ')}`));
  const query = UPLOADS[name].query.safeParse(Object.fromEntries(params));
  if (!query.success) {
    const issue = query.error.issues[0];
    return refuse(new FoxError('INVALID_INPUT', `invalid options for ${name}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`));
  }
  const { name: fileName, size, ref, ...opts } = query.data;
  const length = Number(req.headers['content-length']);
  // The put reads a pipe, not the request: when it stops early (canceled, refused) it may destroy
  // its source, and destroying the request would take the socket and our answer with it.
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  req.pipe(body);
  req.on('error', (err) => body.destroy(err));
  let job;
  try {
    job = studio.engine.cas.startPut(body, {
      ...opts,
      ...(fileName ? { name: fileName } : {}),
      size: size ?? (Number.isInteger(length) && length >= 0 ? length : undefined),
      title: `cas put ${fileName ?? 'upload'}`,
      ...(ref ? { clientRef: ref } : {}),
    });
  } catch (err) {
    return refuse(err);
  }
  res.on('close', () => {
    if (!res.writableFinished) job.cancel('the upload was interrupted');
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', [HTTP.jobHeader]: job.id });
  res.flushHeaders();
  try {
    const value = UPLOADS[name].output.parse(await job.done);
    finish(res, { ok: true, value });
  } catch (err) {
    finish(res, { ok: false, error: toBridgeError(err) });
  }
}
