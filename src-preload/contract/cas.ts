// The CAS view's part of the bridge: objects, put results, gc and verify results, previews, places
// and artifacts, and the cas.* calls.
import { z } from 'zod';
import { call, cliLine, count, goDuration, none, timestamp } from './parts';

/** What a CAS put returns (the engine's PutResult). */
export const casPutResultSchema = z.object({
  digest: z.string(),
  size_bytes: count,
  kind: z.string(),
  tags: z.array(z.string()),
  created: timestamp,
  existed: z.boolean(),
  pinned: z.boolean(),
});

/** What a CAS put returns. */
export type CasPutResult = z.infer<typeof casPutResultSchema>;

/** One CAS object as listed (the engine's CasObject). */
export const casObjectSchema = z.object({
  digest: z.string(),
  size_bytes: count,
  kind: z.string(),
  tags: z.array(z.string()),
  created_at: timestamp,
  /** The last re-put of the same content, when there was one (gc counts from the later time). */
  last_put_at: timestamp.optional(),
  pinned: z.boolean(),
  pinned_at: timestamp.nullable(),
  meta_error: z.string().optional(),
});

/** One CAS object as listed. */
export type CasObject = z.infer<typeof casObjectSchema>;

/** Sort orders of cas.list (the engine's LIST_SORTS). */
export const CAS_SORTS = ['created', '-created', 'size', '-size', 'digest'] as const;

const casDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest is sha256: followed by 64 lower-case hex digits');
/** A gc dry run: what would go, bytes freed, and the pinned objects kept although old enough. */
export const casGcDryRunSchema = z.object({
  dry_run: z.literal(true),
  cutoff: timestamp,
  objects_deleted: count,
  bytes_freed: count,
  candidates: z.array(z.object({ digest: z.string(), size_bytes: count, kind: z.string(), created_at: timestamp })),
  kept_pinned: z.array(casObjectSchema),
});

/** A gc dry run's result. */
export type CasGcDryRun = z.infer<typeof casGcDryRunSchema>;

/** Kinds of problem a CAS verify reports (the engine's VERIFY_PROBLEMS). */
export const CAS_VERIFY_PROBLEMS = ['missing_bytes', 'orphan_bytes', 'orphan_pin', 'corrupt', 'metadata', 'unreadable'] as const;

/** A cas.verify job's result: every loss, by kind, each with what to do (the engine's VerifyResult). */
export const casVerifyResultSchema = z.object({
  objects_checked: count,
  bytes_checked: count,
  corrupt: z.array(z.string()),
  missing: z.array(z.string()),
  problems: z.array(z.object({ digest: z.string(), problem: z.enum(CAS_VERIFY_PROBLEMS), message: z.string(), hint: z.string(), size_bytes: count.optional() })),
  counts: z.record(z.enum(CAS_VERIFY_PROBLEMS), count),
  ok: z.boolean(),
});

/** A cas.verify job's result. */
export type CasVerifyResult = z.infer<typeof casVerifyResultSchema>;

/** The first bytes of an object shaped for display; `truncated` when only a prefix is shown. */
export const casPreviewSchema = z.object({
  digest: z.string(),
  kind: z.string(),
  size_bytes: count,
  mode: z.enum(['text', 'json', 'image', 'pdf', 'binary']),
  /** image / pdf: what the bytes are (PNG, SVG, PDF...), whatever kind the object was stored with. */
  content_kind: z.string().optional(),
  /** text/json: the text (JSON pretty-printed when whole); binary: a hex dump of the prefix; pdf: its version and pages. */
  text: z.string().optional(),
  /** image: a data: URL of the whole image. */
  dataUrl: z.string().optional(),
  truncated: z.boolean(),
});

/** A preview of an object. */
export type CasPreview = z.infer<typeof casPreviewSchema>;

// ---- CAS places and artifacts (issue 14) ----

/** One place of the home holding CAS objects (the engine's CasLocation): ours, the Go sqlite cas.db, the file store. */
export const casLocationSchema = z.object({
  backend: z.string(),
  location: z.string(),
  used_by: z.array(z.string()),
  active: z.boolean(),
  exists: z.boolean(),
  objects: count,
  bytes: count,
  pinned: count,
  pinned_bytes: count,
  error: z.string().nullable(),
  /** Objects here that the configured store lacks (what a merge copies); null when too many to compare. */
  pending: count.nullable(),
});

/** One place of the home holding CAS objects. */
export type CasLocation = z.infer<typeof casLocationSchema>;

/** The tag the Go runtime files an artifactized output under. */
export const CAS_ARTIFACT_TAG = 'truncated-output';

/** What an artifact (a stored output envelope) says about itself: its command, status and summary sentence. */
export const casArtifactSchema = z.object({
  digest: z.string(),
  command: z.string(),
  status: z.string(),
  summary: z.string(),
  size_bytes: count,
  /** meta.ts of the original envelope, when it has one. */
  ts: z.string().nullable(),
});

/** What an artifact says about itself. */
export type CasArtifact = z.infer<typeof casArtifactSchema>;
/** Options of a CAS put (the putPath call and the streamed upload). */
export const casPutOptions = {
  kind: z.string().min(1).max(200).optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
  pin: z.boolean().optional(),
  /** The name (or path inside a dropped folder) kept as a `name:` tag; default the file's own name. */
  name: z.string().min(1).max(1000).optional(),
};

/** The calls of the CAS view, spread into CALLS. */
export function casCalls() {
  return {
    'cas.stats': call(
      none,
      z.object({ objects: count, bytes: count, pinned: count, pinned_bytes: count, backend: z.string(), location: z.string() }),
      'objects, bytes and pins of the CAS, and its backend',
    ),
    'cas.putPath': call(
      z.object({ path: z.string().min(1).max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path'), ...casPutOptions }).strict(),
      z.object({ jobId: z.string() }),
      'stores a local file in the CAS as a job, streamed from disk by main (Electron: the path of a dropped file)',
    ),
    'cas.list': call(
      z
        .object({
          kind: z.string().min(1).max(200).optional(),
          tag: z.string().min(1).max(100).optional(),
          pinned: z.boolean().optional(),
          /** A digest prefix (with or without `sha256:`), lower-case hex. */
          digestPrefix: z.string().max(71).regex(/^(sha256:)?[0-9a-f]{0,64}$/, 'a digest prefix is lower-case hex digits, optionally after sha256:').optional(),
          /** A digest prefix or part of a name the object was put under, case-insensitive. */
          search: z.string().min(1).max(256).optional(),
          sort: z.enum(CAS_SORTS).optional(),
          limit: z.number().int().min(1).max(5000).optional(),
          cursor: z.string().min(1).max(1000).optional(),
        })
        .strict(),
      z.object({ items: z.array(casObjectSchema), next_cursor: z.string().nullable() }),
      'a page of CAS objects (filters, sort, keyset cursor); with a digest prefix a page may hold up to 2 x limit - 1 items',
    ),
    'cas.head': call(z.object({ digest: casDigest }).strict(), casObjectSchema, "one object's metadata"),
    'cas.pin': call(z.object({ digest: casDigest }).strict(), casObjectSchema, 'pins an object: gc keeps it, rm refuses it'),
    'cas.unpin': call(z.object({ digest: casDigest }).strict(), casObjectSchema, 'unpins an object'),
    'cas.rm': call(
      z.object({ digest: casDigest }).strict(),
      z.object({ digest: z.string(), removed: z.boolean(), size_bytes: count }),
      'removes an object; PINNED (with the reason) while it is pinned',
    ),
    'cas.gc': call(
      z.object({ olderThan: goDuration.optional(), dryRun: z.boolean() }).strict(),
      z.union([casGcDryRunSchema, z.object({ jobId: z.string() })]),
      'garbage collection: a dry run answers what would go; a real run starts a job',
    ),
    'cas.verify': call(none, z.object({ jobId: z.string() }), 're-hashes every object and cross-checks bytes, metadata and pins as a job; its result (casVerifyResultSchema) lists every problem by kind'),
    'cas.preview': call(
      z.object({ digest: casDigest, maxKb: z.number().int().min(1).max(1024).optional() }).strict(),
      casPreviewSchema,
      'the first KiB of an object as text, pretty JSON or an image, after verifying the whole object (CORRUPT otherwise)',
    ),  'cas.tag': call(
      z.object({ digest: casDigest, tags: z.array(z.string().trim().min(1).max(100).regex(/^[^,]+$/, 'a tag has no comma')).min(1).max(50) }).strict(),
      casObjectSchema,
      "adds tags to an object (merged with its tags; re-put of its verified bytes, which keeps created_at and refreshes last_put_at)",
    ),
    'cas.check': call(z.object({ digest: casDigest }).strict(), z.object({ digest: z.string(), size_bytes: count }), 're-hashes one object; CORRUPT when its bytes do not match'),
    'cas.saveAs': call(
      z.object({ digest: casDigest, name: z.string().max(200).optional() }).strict(),
      z.object({ saved: z.boolean(), path: z.string().nullable(), size_bytes: count }),
      'Electron: writes a verified object to a file the user picks in a save dialog (temp file renamed only once verified); browser mode uses cas.downloadLink',
    ),
    'cas.downloadLink': call(
      z.object({ digest: casDigest, name: z.string().max(200).optional() }).strict(),
      z.object({ url: z.string() }),
      'browser mode: a one-time URL that streams the object re-hashed, aborting the download on a mismatch',
    ),
    'cas.locations': call(none, z.array(casLocationSchema), 'every place of the home with CAS objects (the configured backend, the Go sqlite cas.db, the file store): who uses it, objects, bytes, pins'),
    'cas.merge': call(
      z.object({ from: z.string().min(1).max(4096), to: z.string().min(1).max(4096) }).strict(),
      z.object({ jobId: z.string(), cli: cliLine }),
      'merges every object of one place into another (cas migrate --from --to) as a job: each re-hashed, objects already there skipped, nothing removed from the source',
    ),
    'cas.artifact': call(z.object({ digest: casDigest }).strict(), casArtifactSchema, "an artifact's command, status and summary sentence, read from the verified stored envelope (INVALID_INPUT when it is not one)"),
  } as const;
}
