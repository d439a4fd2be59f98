import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';

/** The origin the renderer is served from: a privileged custom scheme, not file://. */
export const APP_SCHEME = 'app';
/** The origin of our pages (app://studio). */
export const APP_ORIGIN = `${APP_SCHEME}://studio`;

/** Registers the scheme as standard and secure; must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** The CSP header sent with every page (the same policy as index.html's meta tag). */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the built renderer under app://studio/, refusing any path outside its folder. */
export function serveRenderer(rendererDir: string): void {
  const root = fs.realpathSync(rendererDir);
  protocol.handle(APP_SCHEME, async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'studio') return new Response('not found', { status: 404 });
    let file = path.resolve(root, `.${path.posix.normalize(decodeURIComponent(url.pathname))}`);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(root, 'index.html');
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}
