// Browser mode's transport: calls as POSTs, events as an SSE stream read with fetch (so the token
// travels in a header, never in a URL), reconnecting with backoff when the stream drops.
import { EVENT_NAMES, HTTP, type CasPutResult, type EventName, type EventPayload, type Result } from '../../src-preload/contract';
import type { ConnectionState, Transport } from './bridge';

const TOKEN_KEY = 'foxctl-studio-token';

/**
 * The token of this start: from the URL fragment (`#token=...`) the first time, then kept in
 * this tab's sessionStorage so a reload works; the fragment is removed from the address bar.
 */
export function readToken(): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

type Listener = (payload: unknown) => void;

/** The HTTP/SSE transport over the studio server this page came from. */
export function createHttpTransport(token: string | undefined): Transport {
  const listeners = new Map<EventName, Set<Listener>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = token ? 'reconnecting' : 'no-token';
  const setState = (s: ConnectionState): void => {
    if (s === state) return;
    state = s;
    for (const l of connectionListeners) l(s);
  };
  const headers = (): Record<string, string> => ({ [HTTP.tokenHeader]: token ?? '' });

  const dispatch = (block: string): void => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0 || !(EVENT_NAMES as string[]).includes(event)) return;
    const payload: unknown = JSON.parse(data.join('\n'));
    for (const l of listeners.get(event as EventName) ?? []) l(payload);
  };

  const stream = async (): Promise<void> => {
    let delay = 500;
    for (;;) {
      try {
        const res = await fetch(HTTP.events, { headers: headers(), cache: 'no-store' });
        if (res.status === 401) {
          setState('no-token');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        setState('connected');
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
          }
        }
      } catch {
        // The studio restarted or the network dropped: show it and retry below.
      }
      setState('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  };
  if (token) void stream();

  return {
    kind: 'browser',
    async call(name, input, requestId): Promise<Result<unknown>> {
      if (!token) return { ok: false, error: { code: 'UNAVAILABLE', message: 'this page was opened without its access token: open the link printed by `foxctl studio`' } };
      let res: Response;
      try {
        res = await fetch(HTTP.call + encodeURIComponent(name), {
          method: 'POST',
          headers: { ...headers(), 'content-type': 'application/json', [HTTP.requestIdHeader]: requestId },
          body: JSON.stringify(input ?? {}),
        });
      } catch (err) {
        return { ok: false, error: { code: 'UNAVAILABLE', message: `the studio server did not answer: ${(err as Error).message}` } };
      }
      if (res.status === 401) return { ok: false, error: { code: 'UNAVAILABLE', message: 'the studio refused this page\'s token: it was restarted; open the new link it printed' } };
      if (!res.ok) return { ok: false, error: { code: 'IO', message: `the studio server answered HTTP ${res.status}` } };
      return (await res.json()) as Result<unknown>;
    },
    cancel(requestId): void {
      void fetch(HTTP.cancel + encodeURIComponent(requestId), { method: 'POST', headers: headers() }).catch(() => undefined);
    },
    on<E extends EventName>(channel: E, listener: (payload: EventPayload<E>) => void): () => void {
      const set = listeners.get(channel) ?? new Set<Listener>();
      listeners.set(channel, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    uploadToCas(file, query, signal, onProgress): Promise<{ jobId: string; done: Promise<Result<CasPutResult>> }> {
      // XMLHttpRequest rather than fetch: it reports the bytes sent (fetch has no upload progress,
      // and its response, with the job's id, only arrives once the whole body is sent). The Blob
      // body is streamed from disk by the browser; aborting cuts the request, which cancels the job.
      return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        let jobId: string | null = null;
        let settleDone: (r: Result<CasPutResult>) => void = () => undefined;
        const done = new Promise<Result<CasPutResult>>((r) => (settleDone = r));
        const fail = (err: Error): void => {
          settleDone({ ok: false, error: { code: signal?.aborted ? 'CANCELED' : 'IO', message: err.message } });
          reject(err);
        };
        xhr.open('POST', `${HTTP.upload}cas.put?${new URLSearchParams(query).toString()}`);
        for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
        xhr.upload.onprogress = (e) => onProgress?.(e.loaded);
        xhr.onreadystatechange = () => {
          if (xhr.readyState !== XMLHttpRequest.HEADERS_RECEIVED) return;
          if (xhr.status === 401) return fail(new Error("the studio refused this page's token: open the new link it printed"));
          jobId = xhr.getResponseHeader(HTTP.jobHeader);
          if (jobId) resolve({ jobId, done });
        };
        xhr.onload = () => {
          let r: Result<CasPutResult>;
          try {
            r = JSON.parse(xhr.responseText) as Result<CasPutResult>;
          } catch {
            r = { ok: false, error: { code: 'IO', message: `the upload's answer was not JSON (HTTP ${xhr.status})` } };
          }
          settleDone(r);
          if (!jobId) reject(new Error(r.ok ? 'the studio named no job for the upload' : `${r.error.code}: ${r.error.message}`));
        };
        xhr.onerror = () => fail(new Error('the upload failed: the connection to the studio broke'));
        xhr.onabort = () => fail(new DOMException('the upload was canceled', 'AbortError'));
        if (signal?.aborted) return fail(new DOMException('the upload was canceled', 'AbortError'));
        signal?.addEventListener('abort', () => xhr.abort(), { once: true });
        xhr.send(file);
      });
    },
    onConnection(listener): () => void {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}
