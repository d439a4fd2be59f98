import type { Readable } from 'node:stream';

/** The kind of an object put without one (FORMATS.md). */
export const DEFAULT_KIND = 'application/octet-stream';

/** One object of the CAS as users see it. */
export interface CasObject {
  digest: string;
  size_bytes: number;
  kind: string;
  tags: string[];
  /** RFC 3339: the first put, kept when the same content is put again (the Go gc counts from it). */
  created_at: string;
  /** RFC 3339: the last put, when the same content was put again (our gc counts from the later of the two). */
  last_put_at?: string;
  pinned: boolean;
  /** When it was pinned (RFC 3339), where the backend records it. */
  pinned_at: string | null;
  /** Set when the stored metadata could not be read; the other fields then come from the bytes. */
  meta_error?: string;
}

/** What a backend needs to file a new object or refresh an existing one. */
export interface CommitMeta {
  size: number;
  kind: string;
  tags: string[];
  pin: boolean;
  /** The commit time (RFC 3339), from the store's clock. */
  now: string;
}

/** The outcome of a commit: the object as stored and whether the content was already there. */
export interface CommitResult {
  object: CasObject;
  existed: boolean;
}

/**
 * An upload in progress. The wrapper hashes; the backend only stores bytes in order, then files
 * them under the digest. Several write() calls may be in flight at once (they carry their offset).
 */
export interface CasWriter {
  /**
   * Stores `chunk` at `offset` (chunks arrive in order; their promises may settle out of order).
   * The chunk's memory is reused once the promise resolves: copy it if you keep it longer.
   */
  write(chunk: Buffer, offset: number): Promise<void>;
  /** Makes the bytes durable and files them under `hex`, deduplicating and merging tags. */
  commit(hex: string, meta: CommitMeta): Promise<CommitResult>;
  /** Discards the upload and its temp data. Never rejects. */
  abort(): Promise<void>;
}

/** The raw bytes of an object as a backend stores them (not yet verified). */
export interface RawRead {
  stream: Readable;
  /** The size the backend records for it. */
  size: number;
}

/** What may stop a removal; the backend checks it atomically with the delete. */
export interface RemoveGuard {
  /** Refuse when the object is pinned. */
  unpinnedOnly: boolean;
  /** Remove only when created and last put before this time, in epoch ms (see gcTimeMs). */
  createdBeforeMs?: number;
}

/** What a removal did. `fresh`: put again after the cutoff; `pinned`: refused by the pin. */
export interface RemoveOutcome {
  outcome: 'removed' | 'missing' | 'pinned' | 'fresh';
  size_bytes: number;
}

/** Losses a backend's layout shows: what verify reports besides bytes that do not hash to their name. */
export type CasDamageKind = 'missing_bytes' | 'orphan_bytes' | 'orphan_pin';

/**
 * One loss found by listing the store: metadata (or a pin) whose bytes are gone
 * (`missing_bytes`), a pin left without object (`orphan_pin`), or bytes nothing describes
 * (`orphan_bytes`, e.g. a put of the Go tool that crashed between its two writes).
 */
export interface CasDamage {
  hex: string;
  kind: CasDamageKind;
  /** What is there and what is not, in the backend's own terms (file names, tables, keys). */
  detail: string;
  /** The size recorded (missing_bytes) or found (orphan_bytes), when known. */
  size_bytes?: number;
  /** missing_bytes: the lost object was pinned. */
  pinned?: boolean;
}

/** One listing of a store for verify: the objects to re-hash and the losses the listing shows. */
export interface CasScan {
  /** Names whose bytes are stored and can be read by read()/localPath() (orphan bytes included where they can). */
  stored: string[];
  damage: CasDamage[];
}

/** Totals of a store. */
export interface CasStats {
  objects: number;
  bytes: number;
  pinned: number;
  pinned_bytes: number;
}

/** How a backend is set up by its factory. */
export interface CasBackendOptions {
  /** Temp files of uploads older than this are removed on open (default 1 h; another process may still be writing younger ones). */
  tmpSafeAgeMs?: number;
}

/**
 * One storage backend of the CAS (file, sqlite, later turso and s3). Backends are small: the
 * guard in guarded-store.ts validates digests before any call, checks the abort signal,
 * translates errors, hashes uploads and re-hashes every read. Digests reach backends as 64
 * lower-case hex digits, already validated.
 */
export interface CasBackend {
  /** Driver name (`file`, `sqlite`). */
  readonly name: string;
  /** Where it stores objects, for messages (a directory, a database file, a bucket). */
  readonly location: string;
  /** Prepares the store and removes temp data of crashed uploads older than the safe age. */
  open(): Promise<void>;
  /** Starts an upload. */
  createWriter(): Promise<CasWriter>;
  /** The object's metadata, or null when absent. */
  head(hex: string): Promise<CasObject | null>;
  /** The object's stored bytes, or null when absent. */
  read(hex: string): Promise<RawRead | null>;
  /**
   * Optional: the local file holding an object's bytes (null when absent), for backends that
   * have one. Lets verify and getToFile read through reusable buffers instead of a stream.
   */
  localPath?(hex: string): Promise<string | null>;
  /** Every object's metadata (callers filter, sort and page with list-query.ts). */
  all(): Promise<CasObject[]>;
  /**
   * Lists the whole store once, cheaply (directory listings, one query, key listings): what has
   * bytes, and every name whose metadata, pin or bytes lack their counterpart. A listing may
   * catch a put or removal of another process half done: verify scans twice and reports only
   * what both scans show.
   */
  scan(): Promise<CasScan>;
  /** Up to `limit` object names after `after` (exclusive) in hex order, without reading metadata. */
  names(after: string | null, limit: number): Promise<string[]>;
  /** Pins (`pinnedAt` set) or unpins (null); false when the object does not exist. */
  setPin(hex: string, pinnedAt: string | null): Promise<boolean>;
  /** Removes the object if `guard` allows, atomically with respect to concurrent puts. */
  remove(hex: string, guard: RemoveGuard): Promise<RemoveOutcome>;
  /** Totals. */
  stats(): Promise<CasStats>;
  /** Releases files and connections. */
  close(): Promise<void>;
}
