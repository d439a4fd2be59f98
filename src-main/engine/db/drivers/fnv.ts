/**
 * The 32-bit FNV-1a hash of a string's UTF-8 bytes, as an unsigned number (0..2^32-1), as Go's
 * hash/fnv New32a computes it. JavaScript's bit operators work on signed 32-bit integers: the
 * multiply goes through Math.imul and the result is turned unsigned with `>>> 0`.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
