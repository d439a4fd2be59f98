import { Transform, type TransformCallback } from 'node:stream';
import { FoxError } from '../errors.js';
import { digestOf, newHasher } from './digest.js';

/** The CORRUPT error of an object whose bytes do not hash to its name. */
export function corruptError(digest: string, actualHex: string, size: number, subject: string): FoxError {
  return new FoxError('CORRUPT', `${digest} is corrupt in ${subject}: its ${size} stored bytes hash to ${digestOf(actualHex)}`, { subject });
}

/**
 * A pass-through that re-hashes an object as it streams and fails at the end with CORRUPT when
 * the bytes do not hash to `digest`. The bytes before the error are unverified: a consumer that
 * must not act on bad bytes buffers them, or uses getToFile (which renames only verified files).
 */
export function verifyingStream(digest: string, subject: string): Transform {
  const hash = newHasher();
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const hex = hash.digest('hex');
      cb(digestOf(hex) === digest ? null : corruptError(digest, hex, size, subject));
    },
  });
}
