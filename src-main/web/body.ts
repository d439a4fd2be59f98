import type { IncomingMessage } from 'node:http';
import { FoxError } from '../engine/errors.js';

/** The largest JSON body a call accepts; files travel as streamed uploads, not JSON. */
export const MAX_JSON_BYTES = 1024 * 1024;

/**
 * Reads a JSON request body as it streams in, refusing it once it passes `limit` bytes (without
 * buffering the rest). An empty body is `{}`.
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (type !== '' && !type.toLowerCase().startsWith('application/json')) {
    throw new FoxError('INVALID_INPUT', `a call's body must be application/json, not ${type}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the limit the rest is read and dropped (never buffered), so the client gets the answer
  // instead of a reset connection; only a caller with the token gets this far.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new FoxError('INVALID_INPUT', `the request body is larger than ${limit} bytes`, { subject: 'body-too-large' });
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new FoxError('INVALID_INPUT', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}
