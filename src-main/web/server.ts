import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HTTP, requestIdSchema, type Result } from '../../src-preload/contract.js';
import type { Studio } from '../api/studio.js';
import { toBridgeError } from '../api/dispatch.js';
import { FoxError, isFoxError, toFoxError } from '../engine/errors.js';
import { readJsonBody } from './body.js';
import { allowedHosts, assertLoopbackHost, checkHost, checkToken, newToken, type Refusal } from './guard.js';
import { openEventStream } from './sse.js';
import { handleDownload } from './download.js';
import { handleUpload } from './upload.js';
import { findRendererDir, serveStatic } from './static-files.js';

/** How browser mode is started. */
export interface WebServerOptions {
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** The built renderer (default: found next to the CLI or under out/renderer). */
  rendererDir?: string | undefined;
  /** A fixed token (tests); default: a fresh random one. */
  token?: string;
}

/** A running browser-mode server. */
export interface WebServer {
  /** The URL to open, with the token in the fragment (never sent to any server, never logged). */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Stops accepting, ends event streams, closes connections. */
  close(): Promise<void>;
}

/** The one browser-mode session: every HTTP request shares it, so a cancel reaches any call. */
const SCOPE = 'web';

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function refuse(res: ServerResponse, r: Refusal): void {
  res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${r.status === 401 ? 'Unauthorized' : 'Forbidden'}: ${r.reason}\n`);
}

/**
 * Starts browser mode: the built renderer and the contract's handlers over HTTP on loopback
 * only. Every request must carry our Host; every /api request must carry the token of this start.
 * No CORS header is ever sent, so no other origin can read a response.
 */
export async function startWebServer(studio: Studio, opts: WebServerOptions = {}): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const token = opts.token ?? newToken();
  // A folder without index.html is no renderer: the page says how to build one.
  const rendererDir = opts.rendererDir === undefined ? findRendererDir() : fs.existsSync(path.join(opts.rendererDir, 'index.html')) ? opts.rendererDir : undefined;
  let hosts = new Set<string>();
  const streams = new Set<() => void>();
  const sockets = new Set<Socket>();

  const handleCall = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    const headerId = req.headers[HTTP.requestIdHeader];
    let requestId: string;
    if (headerId === undefined) requestId = `srv-${randomUUID()}`;
    else {
      const parsed = requestIdSchema.safeParse(headerId);
      if (!parsed.success) {
        sendJson(res, 200, { ok: false, error: { code: 'INVALID_INPUT', message: `invalid ${HTTP.requestIdHeader} header: ${parsed.error.issues[0]?.message ?? ''}` } });
        return;
      }
      requestId = parsed.data;
    }
    let result: Result<unknown>;
    try {
      const input = await readJsonBody(req);
      // A browser that goes away (tab closed, fetch aborted) cancels its call.
      res.on('close', () => {
        if (!res.writableFinished) studio.api.cancel(SCOPE, requestId);
      });
      result = await studio.api.invoke(name, input, { scope: SCOPE, requestId });
    } catch (err) {
      result = { ok: false, error: toBridgeError(err) };
      if (isFoxError(err) && err.subject === 'body-too-large') return sendJson(res, 413, result);
    }
    if (!res.destroyed) sendJson(res, 200, result);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
    const hostRefusal = checkHost(req, hosts);
    if (hostRefusal) return refuse(res, hostRefusal);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith('/api/')) {
      // The renderer's files hold no data: they load before the page can read its token.
      if (method !== 'GET' && method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return serveStatic(rendererDir, url.pathname, res);
    }
    // Downloads are navigations (no token header): a one-time ticket from an authenticated call stands in for it.
    if (url.pathname.startsWith(HTTP.download)) {
      if (method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
      return handleDownload(req, res, studio, decodeURIComponent(url.pathname.slice(HTTP.download.length)));
    }
    const tokenRefusal = checkToken(req, token, HTTP.tokenHeader);
    if (tokenRefusal) return refuse(res, tokenRefusal);
    if (url.pathname === HTTP.events) {
      if (method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
      const end = openEventStream(res, studio.events);
      streams.add(end);
      res.on('close', () => streams.delete(end));
      return;
    }
    if (method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    if (url.pathname.startsWith(HTTP.call)) return handleCall(req, res, decodeURIComponent(url.pathname.slice(HTTP.call.length)));
    if (url.pathname.startsWith(HTTP.upload)) return handleUpload(req, res, studio, decodeURIComponent(url.pathname.slice(HTTP.upload.length)), url.searchParams);
    if (url.pathname.startsWith(HTTP.cancel)) {
      const id = decodeURIComponent(url.pathname.slice(HTTP.cancel.length));
      return sendJson(res, 200, { ok: true, value: { canceled: studio.api.cancel(SCOPE, id) } });
    }
    return void res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('no such route\n');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const fe = toFoxError(err);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: fe.code, message: fe.message } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(toFoxError(err, `studio on ${host}:${opts.port ?? 0}`, 'UNAVAILABLE')));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      for (const end of streams) end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

/** A port number from the command line: 0-65535, or INVALID_INPUT naming it. */
export function parsePort(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FoxError('INVALID_INPUT', `--port must be a whole number from 0 to 65535 (got "${String(value)}")`);
  return n;
}
