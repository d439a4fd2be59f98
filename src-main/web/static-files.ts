import fs from 'node:fs';
import path from 'node:path';
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
 * symlink escapes); unknown paths get index.html so the app's own navigation works.
 */
export function serveStatic(root: string | undefined, urlPath: string, res: ServerResponse): void {
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
  const realRoot = fs.realpathSync(root);
  let file = path.resolve(realRoot, `.${path.posix.normalize(`/${rel}`)}`);
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    file = fs.realpathSync(file);
  } catch {
    file = path.join(realRoot, 'index.html');
  }
  if (file !== realRoot && !file.startsWith(realRoot + path.sep)) {
    res.writeHead(404).end();
    return;
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    'content-security-policy': CONTENT_SECURITY_POLICY,
  });
  fs.createReadStream(file).pipe(res);
}
