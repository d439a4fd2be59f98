import type { _Object } from '@aws-sdk/client-s3';
import { isHex } from './digest.js';
import type { CasDamage, CasScan } from './types.js';

/** What the scan needs of the s3 backend (structural, so the backend's file stays its own). */
export interface S3ScanHost {
  blobKey(hex: string): string;
  metaKey(hex: string): string;
  /** Every key under a prefix, page by page. */
  listKeys(prefix: string): AsyncGenerator<_Object>;
  /** An object's meta document, `{error}` when it does not parse, null when absent. */
  readMeta(hex: string): Promise<{ size: number; pinned: boolean } | { error: string } | null>;
}

/**
 * Lists `blob/` and `meta/` once each and pairs them (see CasBackend.scan): a meta without blob
 * is missing_bytes, a blob without meta orphan_bytes. Only dangling metas cost a GET, to say
 * what the lost object was.
 */
export async function scanS3(host: S3ScanHost): Promise<CasScan> {
  const blobBase = host.blobKey('');
  const metaBase = host.metaKey('').replace(/\.json$/, '');
  const blobs = new Map<string, number>();
  const metas = new Set<string>();
  await Promise.all([
    (async () => {
      for await (const o of host.listKeys(blobBase)) blobs.set((o.Key ?? '').slice(blobBase.length), o.Size ?? 0);
    })(),
    (async () => {
      for await (const o of host.listKeys(metaBase)) metas.add((o.Key ?? '').slice(metaBase.length).replace(/\.json$/, ''));
    })(),
  ]);
  const damage: CasDamage[] = [];
  for (const hex of metas) {
    if (!isHex(hex) || blobs.has(hex)) continue;
    const m = await host.readMeta(hex);
    const doc = m && !('error' in m) ? m : null;
    damage.push({ hex, kind: 'missing_bytes', detail: `its blob is gone; its meta object ${host.metaKey(hex)} remains`, ...(doc ? { size_bytes: doc.size, pinned: doc.pinned } : {}) });
  }
  for (const [hex, size] of blobs) {
    if (isHex(hex) && !metas.has(hex)) damage.push({ hex, kind: 'orphan_bytes', detail: `the blob ${host.blobKey(hex)} has no meta object`, size_bytes: size });
  }
  damage.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  return { stored: [...blobs.keys()].filter(isHex).sort(), damage };
}
