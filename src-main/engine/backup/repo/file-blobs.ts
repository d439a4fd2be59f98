import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { FoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import type { BlobReader } from './blob-reader.js';
import { ContentChunker, type ChunkSizes } from './chunker.js';
import { isHexId } from './layout.js';
import type { PackWriter } from './pack-writer.js';

/** Data-blob ids per list blob (docs/snapshot-repository.md "Blobs"). */
export const IDS_PER_LIST = 1024;
const READ_SIZE = 4 * 1024 * 1024;

/** How a file is cut: a SQLite snapshot on its pages, anything else by content. */
export type CutBy = { kind: 'sqlite' } | { kind: 'file'; sizes: ChunkSizes };

/** A file as a snapshot names it. */
export interface StoredFile {
  size: number;
  /** SHA-256 of the whole file, lowercase hex. */
  sha256: string;
  /** The list blobs naming its data blobs in order. */
  content: string[];
  /** SQLite: the page size it was cut on. */
  page_size?: number;
}

/**
 * The page size in a SQLite header (bytes 16-17, big-endian; 1 means 65536). The file is a staged
 * snapshot no connection of ours holds, so reading its bytes cannot drop another process's locks.
 */
export function pageSizeOfHeader(head: Buffer, file: string): number {
  if (head.length < 100 || head.subarray(0, 16).toString('latin1') !== 'SQLite format 3\u0000') {
    throw new FoxError('CORRUPT', `${file} is not a SQLite database (no SQLite header)`, { subject: file });
  }
  const v = head.readUInt16BE(16);
  const size = v === 1 ? 65536 : v;
  if (size < 512 || size > 65536 || (size & (size - 1)) !== 0) throw new FoxError('CORRUPT', `${file} has an invalid page size ${v}`, { subject: file });
  return size;
}

/**
 * Stores a file's content as blobs and returns what its snapshot entry names. `onBytes` is called
 * with each slice read (progress). The file must not change while it is read: callers pass staged
 * snapshots of databases, and plain files whose change shows as a size/sha mismatch on verify.
 */
export async function storeFile(writer: PackWriter, file: string, cut: CutBy, opts: OpOptions & { onBytes?: (n: number) => void } = {}): Promise<StoredFile> {
  const fh = await fs.open(file, 'r');
  const whole = crypto.createHash('sha256');
  const ids: string[] = [];
  let size = 0;
  let pageSize: number | undefined;
  const chunker = cut.kind === 'file' ? new ContentChunker(cut.sizes) : null;
  let rest = Buffer.alloc(0);
  try {
    const buf = Buffer.alloc(READ_SIZE);
    for (;;) {
      throwIfAborted(opts.signal, `storing ${file}`);
      const { bytesRead } = await fh.read(buf, 0, buf.length, size);
      if (bytesRead === 0) break;
      const data = buf.subarray(0, bytesRead);
      whole.update(data);
      size += bytesRead;
      opts.onBytes?.(bytesRead);
      if (chunker) {
        for (const c of chunker.push(data)) ids.push(await writer.add(c, 'data'));
        continue;
      }
      const bytes = rest.length ? Buffer.concat([rest, data]) : data;
      pageSize ??= pageSizeOfHeader(bytes, file);
      let at = 0;
      for (; at + pageSize <= bytes.length; at += pageSize) ids.push(await writer.add(bytes.subarray(at, at + pageSize), 'data'));
      rest = Buffer.from(bytes.subarray(at));
    }
    if (chunker) for (const c of chunker.end()) ids.push(await writer.add(c, 'data'));
    // A database whose size is not a whole number of pages still round-trips: the tail is one blob.
    else if (rest.length) ids.push(await writer.add(rest, 'data'));
  } finally {
    await fh.close();
  }
  const content: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_LIST) content.push(await writer.add(Buffer.from(`${ids.slice(i, i + IDS_PER_LIST).join('\n')}\n`), 'list'));
  return { size, sha256: whole.digest('hex'), content, ...(pageSize !== undefined ? { page_size: pageSize } : {}) };
}

/** The data-blob ids a list blob names (CORRUPT when a line is not an id). */
export function parseList(bytes: Buffer, id: string): string[] {
  const lines = bytes.toString('latin1').split('\n');
  if (lines.pop() !== '') throw new FoxError('CORRUPT', `list blob ${id} does not end with a newline`);
  for (const l of lines) if (!isHexId(l)) throw new FoxError('CORRUPT', `list blob ${id} holds a line that is not a blob id: ${JSON.stringify(l.slice(0, 80))}`);
  return lines;
}

/** A stored file's bytes in order, every blob verified as it is read. */
export async function* fileBytes(reader: BlobReader, entry: Pick<StoredFile, 'content'>, opts: OpOptions = {}): AsyncGenerator<Buffer> {
  for (const listId of entry.content) {
    for (const id of parseList(await reader.read(listId), listId)) {
      throwIfAborted(opts.signal);
      yield await reader.read(id);
    }
  }
}

/**
 * Writes a stored file to `dest` (a new file) and checks its size and SHA-256 against the entry:
 * a file that would come out different is CORRUPT, and `dest` is removed.
 */
export async function writeStoredFile(reader: BlobReader, entry: StoredFile, dest: string, opts: OpOptions = {}): Promise<void> {
  const fh = await fs.open(dest, 'wx', 0o600);
  const whole = crypto.createHash('sha256');
  let size = 0;
  try {
    for await (const b of fileBytes(reader, entry, opts)) {
      await fh.write(b, 0, b.length, size);
      whole.update(b);
      size += b.length;
    }
    const sha = whole.digest('hex');
    if (size !== entry.size || sha !== entry.sha256) {
      throw new FoxError('CORRUPT', `${dest} came out as ${size} bytes with SHA-256 ${sha}; the snapshot says ${entry.size} bytes, ${entry.sha256}`, { subject: dest });
    }
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(dest, { force: true });
    throw err;
  }
  await fh.close();
}
