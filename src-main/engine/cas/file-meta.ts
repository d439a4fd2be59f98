// The file backend's metadata and pin files, byte for byte as the Go foxctl's file store writes
// them (internal/storage/cas/file_store.go, commit 4e2e500c: writeMetadata, Store.Pin).
import { parseRfc3339 } from '../util/time.js';

/** The two times gc weighs (see gcTimeMs). */
export type GcTimes = { created_at: string; last_put_at?: string | null | undefined };

/**
 * The metadata file as the Go foxctl writes it (`sha256/<hex>.json`, 2-space JSON, its
 * storage.CASMetadata: `kind` and `tags` omitted when empty), plus `last_put_at`, ours: Go's
 * json.Unmarshal ignores it (and its own rewrite drops it, leaving created_at to decide).
 */
export interface MetaFile {
  digest: string;
  size_bytes: number;
  kind: string;
  tags: string[];
  created_at: string;
  last_put_at?: string;
}

/** Blob and metadata files are 0600, as Go's os.CreateTemp makes them before the rename. */
export const OBJECT_MODE = 0o600;

/** The JSON text of a metadata file, fields in Go's order, empty kind and tags left out as Go's omitempty does. */
export function metaText(m: MetaFile): string {
  const doc = { digest: m.digest, size_bytes: m.size_bytes, ...(m.kind ? { kind: m.kind } : {}), ...(m.tags.length > 0 ? { tags: m.tags } : {}), created_at: m.created_at, ...(m.last_put_at ? { last_put_at: m.last_put_at } : {}) };
  return JSON.stringify(doc, null, 2);
}

/** A pin file's text as Go's Store.Pin writes it: time.RFC3339 in UTC, whole seconds, no newline. */
export function pinText(rfc3339: string): string {
  const ms = parseRfc3339(rfc3339);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19)}Z` : rfc3339;
}
