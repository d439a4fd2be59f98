// The renderer's one door to the engine: the preload's window.foxctl in Electron, the HTTP/SSE
// transport in browser mode. Both return the contract's Result; `call` rethrows errors as
// BridgeCallError so the store can show them by code.
import type { CallArgs, CallName, CallOutput, CasPutResult, ErrorCode, EventName, EventPayload, FoxctlBridge, Result } from '../../src-preload/contract';
import { createHttpTransport, readToken } from './http-transport';

/** A failed call: the contract's error code and its human message. */
export class BridgeCallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeCallError';
  }
}

/** The connection to the engine as the status bar shows it. */
export type ConnectionState = 'connected' | 'reconnecting' | 'no-token';

/** What both transports provide. */
export interface Transport {
  kind: 'electron' | 'browser';
  call(name: CallName, input: unknown, requestId: string): Promise<Result<unknown>>;
  cancel(requestId: string): void;
  on<E extends EventName>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Browser mode: streams a file's bytes as the request body; resolves once the job is named. */
  uploadToCas?(file: Blob, query: Record<string, string>, signal?: AbortSignal, onProgress?: (sent: number) => void): Promise<{ jobId: string; done: Promise<Result<CasPutResult>> }>;
}

declare global {
  interface Window {
    foxctl?: FoxctlBridge;
  }
}

function ipcTransport(bridge: FoxctlBridge): Transport {
  return {
    kind: 'electron',
    call: (name, input, requestId) => bridge.calls[name](input, requestId) as Promise<Result<unknown>>,
    cancel: (id) => bridge.cancel(id),
    on: (channel, listener) => bridge.on(channel, listener),
    onConnection: (listener) => {
      listener('connected');
      return () => undefined;
    },
  };
}

let transport: Transport | undefined;

/** The transport of this window: chosen once. */
export function getTransport(): Transport {
  transport ??= window.foxctl ? ipcTransport(window.foxctl) : createHttpTransport(readToken());
  return transport;
}

let counter = 0;

/** A request id unique in this window, for cancel. */
export function newRequestId(): string {
  counter += 1;
  return `r${Date.now().toString(36)}-${counter}`;
}

/** Options of a call: a signal that cancels it on the other side. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Calls the engine through the contract; resolves with the value or throws BridgeCallError. */
export async function call<N extends CallName>(name: N, input: CallArgs<N>, opts: CallOptions = {}): Promise<CallOutput<N>> {
  const t = getTransport();
  const requestId = newRequestId();
  const onAbort = (): void => t.cancel(requestId);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await t.call(name, input, requestId);
    if (!res.ok) throw new BridgeCallError(res.error.code, res.error.message);
    return res.value as CallOutput<N>;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Subscribes to a contract event; returns the unsubscribe function. */
export function onEvent<E extends EventName>(channel: E, listener: (payload: EventPayload<E>) => void): () => void {
  return getTransport().on(channel, listener);
}

/** Options of putFile: what the CAS records with the object. */
export interface PutFileOptions {
  /** The name kept with the object: its path inside a dropped folder (default the file's name). */
  name?: string;
  kind?: string;
  tags?: string[];
  pin?: boolean;
  signal?: AbortSignal;
  /** Browser mode: bytes of the file sent so far (the job's progress follows once it is named). */
  onProgress?: (sent: number) => void;
  /** Browser mode: the page's own id of the upload; its job carries it as client_ref. */
  ref?: string;
}

/**
 * Stores a dropped or picked file in the CAS as a job and returns its id at once (progress comes
 * as `job` events). In Electron the bytes never cross the bridge: main streams the file from its
 * path. In browser mode the file is streamed as the request body.
 */
export async function putFile(file: File, opts: PutFileOptions = {}): Promise<{ jobId: string; done?: Promise<Result<CasPutResult>> }> {
  const t = getTransport();
  const { signal, onProgress, ref, ...rest } = opts;
  if (window.foxctl) return call('cas.putPath', { path: window.foxctl.pathForFile(file), ...rest }, { signal });
  if (!t.uploadToCas) throw new BridgeCallError('UNSUPPORTED', 'this transport cannot upload files');
  const query: Record<string, string> = { name: rest.name ?? file.name, size: String(file.size) };
  if (rest.kind ?? file.type) query.kind = rest.kind ?? file.type;
  if (rest.tags?.length) query.tags = rest.tags.join(',');
  if (rest.pin !== undefined) query.pin = String(rest.pin);
  if (ref) query.ref = ref;
  return t.uploadToCas(file, query, signal, onProgress);
}
