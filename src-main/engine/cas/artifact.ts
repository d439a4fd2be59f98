import { FoxError, type OpOptions } from '../errors.js';
import { outlineOf, summaryOf, type ArtifactDetails } from './artifact-summary.js';
import type { CasStore } from './guarded-store.js';

export { type ArtifactDetails } from './artifact-summary.js';

/**
 * The tag and kind the Go runtime files a too-large output under (joshka0/foxctl
 * internal/runservice/result.go enforceOutputLimit, commit 249212727f): the CAS view finds
 * artifacts by this tag.
 */
export const ARTIFACT_TAG = 'truncated-output';
export const ARTIFACT_KIND = 'application/json';

/** How to fetch the whole output again (Go's envelope.CASHint, without its `cas read` paging: we have no `cas read`). */
export interface ArtifactHint {
  digest: string;
  total_bytes: number;
  content_type: string;
  get_command: string;
}

/** `data` of an artifactized envelope: Go's expose=hint wrapper plus our outline. */
export interface ArtifactData {
  /** A human sentence: the output's own `data.summary` / `data.preview`, else one describing its shape. */
  summary: string;
  /** Digest of the whole original envelope in the CAS. */
  artifact: string;
  /** Bytes of the original envelope. */
  size: number;
  truncated: true;
  hint: ArtifactHint;
  /** Our structured outline of the original `data` (Go does not write it). */
  details: ArtifactDetails;
}

/** What artifactize returns: the input itself when small, else the envelope pointing at the stored original. */
export type Artifactized =
  | { inline: true; output: string }
  | { inline: false; envelope: Record<string, unknown> & { data: ArtifactData; meta: Record<string, unknown> & { cas_digest: string } }; output: string; digest: string; size: number };

/** Options of artifactize. */
export interface ArtifactizeOptions extends OpOptions {
  /** Larger outputs (in KiB of their JSON) go to the CAS; Go's limit is inline_output_kb. */
  inlineKb: number;
  /** The command named in the envelope when the input has none (a bare value, or no `command`). */
  command?: string | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Artifactizes one JSON output as the Go runtime does (enforceOutputLimit /
 * buildOutputWrapperWithPolicy with expose=hint, which the product spec's envelope shows): up to
 * `inlineKb` KiB it comes back as it is; above, the whole original is stored in the CAS (kind
 * application/json, tag truncated-output: its digest is the SHA-256 of the exact input), and an
 * envelope keeps its version, status, command and error, with `data` = {summary, artifact, size,
 * truncated, hint, details} and `meta` = its meta + {cas_digest, original_size, truncated,
 * truncate_reason: inline_output_kb}. One trailing newline ends a line of output and is not
 * part of it. Input that is not JSON is refused (INVALID_INPUT): it would be filed as JSON.
 */
export async function artifactize(store: CasStore, input: string | Buffer, opts: ArtifactizeOptions): Promise<Artifactized> {
  const text = (typeof input === 'string' ? input : input.toString('utf8')).replace(/\r?\n$/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FoxError('INVALID_INPUT', `the output to artifactize is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= opts.inlineKb * 1024) return { inline: true, output: text };
  const put = await store.put(bytes, { kind: ARTIFACT_KIND, tags: [ARTIFACT_TAG], signal: opts.signal });
  const env = isRecord(value) ? value : {};
  // A bare value (or JSON that is not an envelope) is wrapped as Go does for unparsable output: version 1, ok.
  const isEnvelope = isRecord(value) && 'data' in value;
  const command = typeof env.command === 'string' && env.command !== '' ? env.command : opts.command?.trim() || 'unknown';
  const data = isEnvelope ? env.data : value;
  const wrapped: ArtifactData = {
    summary: summaryOf(command, data),
    artifact: put.digest,
    size: bytes.length,
    truncated: true,
    hint: { digest: put.digest, total_bytes: bytes.length, content_type: ARTIFACT_KIND, get_command: `foxctl cas get ${put.digest}` },
    details: outlineOf(data, bytes.length),
  };
  const meta = { ...(isRecord(env.meta) ? env.meta : {}), cas_digest: put.digest, original_size: bytes.length, truncated: true, truncate_reason: 'inline_output_kb' };
  const envelope = {
    version: isEnvelope && env.version !== undefined ? env.version : 1,
    status: isEnvelope && env.status !== undefined ? env.status : 'ok',
    command,
    data: wrapped,
    meta,
    // Go always writes `error` ({} when there is none); we keep our envelopes' rule: only on failure.
    ...(isEnvelope && isRecord(env.error) ? { error: env.error } : {}),
  };
  return { inline: false, envelope, output: JSON.stringify(envelope), digest: put.digest, size: bytes.length };
}

/** Artifacts larger than this are not read for their summary (the view shows their size instead). */
const MAX_INFO_BYTES = 64 << 20;

/** What an artifact says about itself (its original envelope's command, status, summary sentence). */
export interface ArtifactInfo {
  digest: string;
  command: string;
  status: string;
  summary: string;
  size_bytes: number;
  ts: string | null;
}

/**
 * Reads a stored output (verified: a corrupt one fails with CORRUPT) and describes it as
 * artifactize did when storing it. INVALID_INPUT when it is not JSON, UNSUPPORTED when it is
 * too large to read for this.
 */
export async function readArtifactInfo(store: CasStore, digest: string, opts: OpOptions = {}): Promise<ArtifactInfo> {
  const head = await store.head(digest, opts);
  if (head.size_bytes > MAX_INFO_BYTES) throw new FoxError('UNSUPPORTED', `${digest} is ${head.size_bytes} bytes: too large to read for its summary (foxctl cas get ${digest})`);
  const chunks: Buffer[] = [];
  await store.getTo(digest, async (c) => void chunks.push(Buffer.from(c)), opts);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new FoxError('INVALID_INPUT', `${digest} is not a JSON output: ${(err as Error).message}`, { cause: err });
  }
  const env = isRecord(value) && 'data' in value ? value : null;
  const command = env && typeof env.command === 'string' && env.command !== '' ? env.command : 'unknown';
  const meta = env && isRecord(env.meta) ? env.meta : {};
  return {
    digest,
    command,
    status: env && typeof env.status === 'string' ? env.status : 'ok',
    summary: summaryOf(command, env ? env.data : value),
    size_bytes: head.size_bytes,
    ts: typeof meta.ts === 'string' ? meta.ts : null,
  };
}
