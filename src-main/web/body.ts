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
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.destroy();
      throw new FoxError('INVALID_INPUT', `the request body is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new FoxError('INVALID_INPUT', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}
