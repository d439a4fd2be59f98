import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../src-preload/contract';
import { call, getTransport, type ConnectionState } from './bridge';
import type { StudioState } from '../store';

/** The views of the navigation, in order. */
export const VIEWS = ['overview', 'stores', 'cas', 'events', 'backups', 'jobs', 'settings'] as const;

/** One of VIEWS. */
export type ViewId = (typeof VIEWS)[number];

/** The app itself: which view is shown, what the engine is, the connection. */
export interface AppSlice {
  view: ViewId;
  info: CallOutput<'app.info'> | null;
  connection: ConnectionState;
  navigate(view: ViewId): void;
  loadInfo(): Promise<void>;
  /** Subscribes to the transport's connection state; returns the unsubscribe. */
  watchConnection(): () => void;
}

/** Creates the app slice. */
export const createAppSlice: StateCreator<StudioState, [], [], AppSlice> = (set, get) => ({
  view: 'overview',
  info: null,
  connection: 'reconnecting',
  navigate: (view) => set({ view }),
  loadInfo: async () => {
    const info = await get().track('app.info', () => call('app.info', {}));
    if (info) set({ info });
  },
  watchConnection: () => getTransport().onConnection((connection) => set({ connection })),
});
