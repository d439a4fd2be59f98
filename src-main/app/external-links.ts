/** The only hosts an external link may open (https only), in the user's browser. */
export const EXTERNAL_ALLOW_LIST: readonly string[] = ['github.com', 'www.sqlite.org', 'electronjs.org'];

/**
 * Whether a URL may be handed to the OS browser: https, a host on the allow-list exactly (no
 * subdomain tricks), no credentials. Anything else (file:, javascript:, http:, custom schemes)
 * is refused: shell.openExternal would run it with the user's rights.
 */
export function isAllowedExternal(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && EXTERNAL_ALLOW_LIST.includes(u.hostname) && u.username === '' && u.password === '' && (u.port === '' || u.port === '443');
  } catch {
    return false;
  }
}

/** A frame as the sender check sees it (Electron's WebFrameMain, described by what is used). */
export interface FrameLike {
  url: string;
}

/** The facts of one IPC message the sender check needs. */
export interface SenderFacts {
  /** The webContents that sent it, and the one of our window (undefined once it is gone). */
  sender: unknown;
  ours: { destroyed: boolean; contents: unknown; mainFrame: FrameLike } | undefined;
  /** The frame that sent it (null when it was navigated away or destroyed). */
  frame: FrameLike | null;
}

/**
 * Whether an IPC message comes from our window's main frame showing one of our pages: not an
 * iframe, not another window, not a page that navigated elsewhere.
 */
export function isOwnMainFrame(facts: SenderFacts, isOwnUrl: (url: string) => boolean): boolean {
  const ours = facts.ours;
  return ours !== undefined && !ours.destroyed && facts.sender === ours.contents && facts.frame !== null && facts.frame === ours.mainFrame && isOwnUrl(facts.frame.url);
}

/**
 * A URL's scheme and host (`app://studio`, `http://localhost:5173`), or undefined when it does
 * not parse. Not URL.origin: Node gives "null" for custom schemes such as our app://.
 */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.host === '' ? undefined : `${u.protocol}//${u.host}`;
  } catch {
    return undefined;
  }
}
