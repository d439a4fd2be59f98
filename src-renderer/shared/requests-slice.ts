import type { StateCreator } from 'zustand';
import type { BridgeError } from '../../src-preload/contract';
import { BridgeCallError } from './bridge';
import type { StudioState } from '../store';

/** The loading/error state of one request key (`overview`, `jobs`, `jobs.cancel:<id>`). */
export interface RequestState {
  loading: boolean;
  error: BridgeError | null;
  /** When the last success arrived (ms), or null. */
  loadedAt: number | null;
}

/** The one place where every call's loading and error state lives. */
export interface RequestsSlice {
  requests: Record<string, RequestState>;
  /**
   * Runs `fn` under `key`: marks it loading, records its error by code (never throws), and
   * returns its value or undefined when it failed.
   */
  track<T>(key: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** Forgets the error of a key (the user dismissed it). */
  clearError(key: string): void;
}

/** Turns anything thrown into a bridge error: code and human message. */
export function asBridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeCallError) return { code: err.code, message: err.message };
  return { code: 'IO', message: err instanceof Error ? err.message : String(err) };
}

/** The idle state of a key never requested. */
export const IDLE: RequestState = { loading: false, error: null, loadedAt: null };

/** Creates the requests slice. */
export const createRequestsSlice: StateCreator<StudioState, [], [], RequestsSlice> = (set) => ({
  requests: {},
  track: async (key, fn) => {
    set((s) => ({ requests: { ...s.requests, [key]: { ...(s.requests[key] ?? IDLE), loading: true } } }));
    try {
      const value = await fn();
      set((s) => ({ requests: { ...s.requests, [key]: { loading: false, error: null, loadedAt: Date.now() } } }));
      return value;
    } catch (err) {
      set((s) => ({ requests: { ...s.requests, [key]: { ...(s.requests[key] ?? IDLE), loading: false, error: asBridgeError(err) } } }));
      return undefined;
    }
  },
  clearError: (key) => set((s) => ({ requests: { ...s.requests, [key]: { ...(s.requests[key] ?? IDLE), error: null } } })),
});
