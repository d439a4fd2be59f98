import fs from 'node:fs';
import type { Server, Socket } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { S3Settings } from '../engine/cas/s3-config.js';
import { sigV4Check } from './sigv4-check.js';

/** The part of s3rver's API we use (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;

/** A running s3rver on 127.0.0.1 over a temp dir, with one bucket. */
export interface TestS3 {
  endpoint: string;
  port: number;
  bucket: string;
  dir: string;
  /** Settings of a client of this server (s3rver's built-in key pair unless overridden). */
  settings(over?: Partial<S3Settings>): S3Settings;
  /** Drops every open connection and stops listening, as a server that dies would. */
  kill(): Promise<void>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** s3rver's account registry (access key id -> account with its secrets). */
interface S3rverAccounts {
  registry: Map<string, { accessKeys: Map<string, string> }>;
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
}
const s3rverAccounts = (): S3rverAccounts => createRequire(import.meta.url)('s3rver/lib/models/account') as S3rverAccounts;

/** Adds a key pair every s3rver of this process accepts (tests that need a distinctive secret). */
export function addS3rverKeyPair(accessKeyId: string, secretAccessKey: string): void {
  s3rverAccounts().DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
}

/** s3rver's built-in credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Starts s3rver on a free port of 127.0.0.1 with bucket `bucket` (the caller stops it). */
export async function startS3rver(bucket = 'foxctl-test', opts: { checkSignatures?: boolean } = {}): Promise<TestS3> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  // s3rver accepts any SigV4 signature of a known key id; checkSignatures makes a wrong secret fail as on S3.
  if (opts.checkSignatures) (server as unknown as { middleware: unknown[] }).middleware.unshift(sigV4Check((id) => s3rverAccounts().registry.get(id)?.accessKeys.get(id)));
  const { port } = await server.run();
  const sockets = new Set<Socket>();
  server.httpServer?.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let running = true;
  const kill = async (): Promise<void> => {
    if (!running) return;
    running = false;
    const closing = server.close();
    for (const s of sockets) s.destroy();
    await closing;
  };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket,
    dir,
    settings: (over = {}) => ({ bucket, region: 'us-east-1', endpoint, prefix: 'cas/', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, maxAttempts: 2, connectTimeoutMs: 2000, ...over }),
    kill,
    stop: async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
