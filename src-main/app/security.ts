import { app, session, shell, type WebContents } from 'electron';
import { isAllowedExternal } from './external-links.js';

/** Opens an allowed https link in the OS browser; anything else is refused and logged. */
export function openExternalSafely(url: string): void {
  if (isAllowedExternal(url)) void shell.openExternal(url);
  else console.warn(`foxctl studio: refused to open ${JSON.stringify(url)} (not an allowed https link)`);
}

/** Locks a window's contents: no navigation away, no new windows, no webviews. */
export function hardenContents(contents: WebContents, isOwnUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isOwnUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** App-wide rules: every permission request denied (no camera, geolocation, notifications...). */
export function hardenApp(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openExternalSafely(url);
      return { action: 'deny' };
    });
  });
}
