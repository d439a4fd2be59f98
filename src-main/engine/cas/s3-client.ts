// The AWS SDK client, apart from the S3 settings (s3-config.ts): loading the SDK costs a
// command ~0.4 s of CPU, so only the modules that talk to S3 import this file.
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './s3-config.js';

/** An S3 client for the settings. */
export function createS3Client(s: S3Settings): S3Client {
  // The SDK warns on stderr that it will need Node 22 from 2027; the app ships its own Node
  // (Electron) and CLI output must stay clean. A user's explicit setting is kept.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle,
    ...(s.credentials ? { credentials: s.credentials } : {}),
    maxAttempts: s.maxAttempts,
    // S3-compatible servers (s3rver, older MinIO) store aws-chunked framing as data when the
    // SDK adds its default checksums: only send them where the operation requires one.
    ...(s.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    // requestTimeout is the socket idle time: a server that stops answering fails the call.
    requestHandler: { connectionTimeout: s.connectTimeoutMs, requestTimeout: 30_000 },
  });
}
