import type { CasPreview } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';
import type { OpOptions } from '../engine/errors.js';

/** Images larger than this are not inlined as data URLs (they would bloat the bridge). */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

/** The kinds a preview is shown as, told from the bytes (the object's stated kind may be anything). */
type Sniffed = { mode: 'image'; type: string } | { mode: 'pdf'; type: 'application/pdf' } | null;

/**
 * What the first bytes say an object is, whatever kind it was stored with: PNG, JPEG, GIF, WebP,
 * AVIF, BMP and SVG as images an <img> shows, PDF as a document; null for anything else.
 */
export function sniffContent(bytes: Buffer): Sniffed {
  const at = (offset: number, sig: string | number[]): boolean => {
    const b = typeof sig === 'string' ? Buffer.from(sig, 'latin1') : Buffer.from(sig);
    return bytes.length >= offset + b.length && bytes.subarray(offset, offset + b.length).equals(b);
  };
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mode: 'image', type: 'image/png' };
  if (at(0, [0xff, 0xd8, 0xff])) return { mode: 'image', type: 'image/jpeg' };
  if (at(0, 'GIF87a') || at(0, 'GIF89a')) return { mode: 'image', type: 'image/gif' };
  if (at(0, 'RIFF') && at(8, 'WEBP')) return { mode: 'image', type: 'image/webp' };
  if (at(4, 'ftypavif') || at(4, 'ftypavis')) return { mode: 'image', type: 'image/avif' };
  if (at(0, 'BM') && bytes.length >= 26 && bytes.readUInt32LE(2) === bytes.length) return { mode: 'image', type: 'image/bmp' };
  if (at(0, '%PDF-')) return { mode: 'pdf', type: 'application/pdf' };
  // SVG is text: an <svg> root after an optional BOM, XML declaration, comments and doctype.
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head)) return { mode: 'image', type: 'image/svg+xml' };
  return null;
}

/** A PDF's version and page count, read from its text ("PDF 1.7 · 3 pages"), as far as it tells them. */
function pdfFacts(bytes: Buffer): string {
  const version = /^%PDF-(\d\.\d)/.exec(bytes.subarray(0, 16).toString('latin1'))?.[1];
  const text = bytes.toString('latin1');
  // Page objects: /Type /Page, not /Pages (compressed object streams hide them: then unknown).
  const pages = (text.match(/\/Type\s*\/Page(?![a-z])/g) ?? []).length;
  return `PDF ${version ?? '?'}${pages > 0 ? ` · ${pages} page${pages === 1 ? '' : 's'}` : ''}`;
}

/**
 * Reads an object through the CAS's verifying stream to its end (so a corrupt object fails
 * with CORRUPT and shows nothing), keeping the whole of a small object (an image or a PDF is
 * told by its bytes) or the first `maxKb` KiB, and shapes it for display.
 */
export async function previewObject(engine: Engine, digest: string, maxKb: number, opts: OpOptions = {}): Promise<CasPreview> {
  const head = await engine.cas.head(digest, opts);
  const keep = head.size_bytes <= MAX_IMAGE_BYTES ? head.size_bytes : maxKb * 1024;
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
  const whole = Buffer.concat(chunks);
  const sniffed = whole.length === head.size_bytes ? sniffContent(whole) : null;
  const base = { digest, kind: head.kind, size_bytes: head.size_bytes };
  if (sniffed?.mode === 'image') return { ...base, truncated: false, mode: 'image', content_kind: sniffed.type, dataUrl: `data:${sniffed.type};base64,${whole.toString('base64')}` };
  // A PDF is described, not embedded: the page embeds no objects (object-src 'none').
  if (sniffed?.mode === 'pdf') return { ...base, truncated: false, mode: 'pdf', content_kind: sniffed.type, text: pdfFacts(whole) };
  // Text, JSON and hex see the first maxKb KiB only.
  const bytes = whole.subarray(0, maxKb * 1024);
  const truncated = bytes.length < head.size_bytes;
  const text = decodeText(bytes, truncated);
  if (text === null) return { ...base, truncated, mode: 'binary', text: hexDump(bytes.subarray(0, 4096)) };
  if (!truncated && (head.kind.includes('json') || /^\s*[[{]/.test(text))) {
    try {
      return { ...base, truncated, mode: 'json', text: JSON.stringify(JSON.parse(text) as unknown, null, 2) };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { ...base, truncated, mode: 'text', text };
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
