import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The CSP of browser mode: the same policy as index.html's meta tag, plus what only a header can say. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the built renderer is: next to the bundled CLI (out/cli -> out/renderer) or, when run
 * from source, under the project's out/. Undefined when it was never built.
 */
export function findRendererDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../renderer'), path.resolve(here, '../../out/renderer')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

/**
 * Serves one file of the built renderer. Paths are resolved inside `root` only (no `..`, no
 * symlink escapes); unknown paths get index.html so the app's own navigation works. The file is
 * opened before anything is sent and streamed from that descriptor, so a file removed or
 * replaced meanwhile (a rebuild of the renderer) gets a 500, never an unhandled stream error that
 * would stop the studio.
 */
export async function serveStatic(root: string | undefined, urlPath: string, res: ServerResponse): Promise<void> {
  if (root === undefined) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The Storage Studio renderer is not built: run `npm run build:app` in the project folder, then start again.\n');
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    res.writeHead(400).end();
    return;
  }
  let file: string;
  let handle: FileHandle | undefined;
  let size: number;
  try {
    const found = locate(root, rel);
    if (found === null) {
      res.writeHead(404).end();
      return;
    }
    file = found;
    // O_NONBLOCK: a FIFO put in the folder must not hang the open (fstat then refuses it).
    handle = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile()) throw Object.assign(new Error(`not a regular file`), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    return unreadable(res, urlPath, err);
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    'content-security-policy': CONTENT_SECURITY_POLICY,
  });
  if (size === 0) {
    await handle.close().catch(() => undefined);
    return void res.end();
  }
  // Exactly the bytes announced, even if the file grows meanwhile. After the headers a read error
  // can only cut the response short; pipeline closes the file either way.
  await pipeline(handle.createReadStream({ start: 0, end: size - 1 }), res).catch(() => undefined);
}

/** The real path of the file a URL path names inside `root` (index.html when none), or null when it escapes. */
function locate(root: string, rel: string): string | null {
  const realRoot = fs.realpathSync(root);
  let file = path.resolve(realRoot, `.${path.posix.normalize(`/${rel}`)}`);
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    file = fs.realpathSync(file);
  } catch {
    file = path.join(realRoot, 'index.html');
  }
  return file === realRoot || file.startsWith(realRoot + path.sep) ? file : null;
}

/** The 500 of a renderer file that could not be read: which URL path, and the system's code. */
function unreadable(res: ServerResponse, urlPath: string, err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`could not read ${urlPath} (${code}): it may have changed meanwhile (a rebuild of the renderer?); reload the page\n`);
}
