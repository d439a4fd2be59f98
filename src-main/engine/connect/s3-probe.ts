import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../cas/s3-client.js';
import { resolveS3Settings, s3Location, type S3Credentials } from '../cas/s3-config.js';
import { isFoxError } from '../errors.js';
import { scrubSecrets } from '../secrets/names.js';
import { since, timeoutSignal, type ProbeOptions, type ProbeResult } from './types.js';

/** The S3 form's values (strings as typed; booleans as toggled). */
export interface S3ProbeInput {
  bucket: string;
  region?: string | undefined;
  endpoint?: string | undefined;
  prefix?: string | undefined;
  forcePathStyle?: boolean | undefined;
  disableSsl?: boolean | undefined;
  /** Explicit credentials; absent: the AWS SDK's default chain. */
  credentials?: S3Credentials | undefined;
}

interface S3Native {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Lists at most one key under the prefix: proves the endpoint answers, the bucket exists and
 * the credentials may read it. Returns the latency, or the server's own error code and message.
 */
export async function probeS3(input: S3ProbeInput, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const t0 = performance.now();
  const env: Record<string, string> = { FOXCTL_CAS_S3_BUCKET: input.bucket };
  if (input.region?.trim()) env.FOXCTL_CAS_S3_REGION = input.region.trim();
  if (input.endpoint?.trim()) env.FOXCTL_CAS_S3_ENDPOINT = input.endpoint.trim();
  if (input.prefix !== undefined) env.FOXCTL_CAS_S3_PREFIX = input.prefix;
  env.FOXCTL_CAS_S3_FORCE_PATH_STYLE = String(input.forcePathStyle === true);
  env.FOXCTL_CAS_S3_DISABLE_SSL = String(input.disableSsl === true);
  const secrets = [input.credentials?.secretAccessKey, input.credentials?.sessionToken];
  let target = `s3://${input.bucket}`;
  try {
    const settings = resolveS3Settings(env, { credentials: input.credentials, maxAttempts: 1, connectTimeoutMs: Math.min(opts.timeoutMs ?? 8000, 5000) });
    target = s3Location(settings);
    const client = createS3Client(settings);
    try {
      const out = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: settings.prefix, MaxKeys: 1 }), {
        abortSignal: timeoutSignal(opts.timeoutMs ?? 8000, opts.signal),
      });
      const n = out.KeyCount ?? out.Contents?.length ?? 0;
      return { ok: true, latencyMs: since(t0), target, detail: `bucket "${settings.bucket}" answered; ${n === 0 ? 'no objects' : 'objects present'} under "${settings.prefix}"` };
    } finally {
      client.destroy();
    }
  } catch (err) {
    if (isFoxError(err)) return { ok: false, latencyMs: since(t0), target, code: err.code, message: scrubSecrets(err.message, secrets) };
    const e = (err ?? {}) as S3Native;
    const name = e.Code ?? e.name ?? e.code ?? 'Error';
    const status = e.$metadata?.httpStatusCode;
    const msg = typeof e.message === 'string' && e.message && e.message !== 'UnknownError' ? e.message : status ? `HTTP ${status}` : String(err);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ? ` (${cause.code}${cause.message && !msg.includes(cause.message) ? `: ${cause.message}` : ''})` : '';
    return { ok: false, latencyMs: since(t0), target, code: name, message: scrubSecrets(`${name}: ${msg}${why}${status ? ` [HTTP ${status}]` : ''}`, secrets) };
  }
}
