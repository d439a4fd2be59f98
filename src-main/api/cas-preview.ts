import type { CasPreview } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';
import type { OpOptions } from '../engine/errors.js';

/** Raster and vector formats an <img> shows; other image kinds preview as binary. */
const IMAGE_KINDS = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml', 'image/avif', 'image/bmp']);

/** Images larger than this are not inlined as data URLs (they would bloat the bridge). */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/**
 * Reads an object through the CAS's verifying stream to its end (so a corrupt object fails
 * with CORRUPT and shows nothing), keeping only the first `maxKb` KiB (or the whole of a small
 * image), and shapes it for display.
 */
export async function previewObject(engine: Engine, digest: string, maxKb: number, opts: OpOptions = {}): Promise<CasPreview> {
  const head = await engine.cas.head(digest, opts);
  const isImage = IMAGE_KINDS.has(head.kind) && head.size_bytes <= MAX_IMAGE_BYTES;
  const keep = isImage ? head.size_bytes : maxKb * 1024;
  const { stream } = await engine.cas.get(digest, opts);
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (kept < keep) {
      const part = chunk.subarray(0, keep - kept);
      chunks.push(Buffer.from(part));
      kept += part.length;
    }
  }
  const bytes = Buffer.concat(chunks);
  const truncated = bytes.length < head.size_bytes;
  const base = { digest, kind: head.kind, size_bytes: head.size_bytes, truncated };
  if (isImage) return { ...base, mode: 'image', dataUrl: `data:${head.kind};base64,${bytes.toString('base64')}` };
  const text = decodeText(bytes, truncated);
  if (text === null) return { ...base, mode: 'binary', text: hexDump(bytes.subarray(0, 4096)) };
  if (!truncated && (head.kind.includes('json') || /^\s*[[{]/.test(text))) {
    try {
      return { ...base, mode: 'json', text: JSON.stringify(JSON.parse(text) as unknown, null, 2) };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { ...base, mode: 'text', text };
}

/** UTF-8 text, or null for binary (NUL bytes or invalid UTF-8, ignoring a sequence cut at the end). */
function decodeText(bytes: Buffer, truncated: boolean): string | null {
  if (bytes.includes(0)) return null;
  // A multi-byte character cut by the prefix is not a sign of binary data: drop up to 3 bytes.
  for (let cut = 0; cut <= (truncated ? 3 : 0) && cut <= bytes.length; cut++) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      // try a shorter prefix
    }
  }
  return null;
}

/** A classic 16-bytes-a-line hex dump with offsets and printable ASCII. */
export function hexDump(bytes: Buffer): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}
