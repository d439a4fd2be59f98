import type { StateCreator } from 'zustand';
import type { SyncerStatus } from '../../src-preload/contract';
import { call, onEvent } from '../bridge';
import type { StudioState } from './index';

/** The Events view's data: the syncer's status, kept live by `syncer` events. */
export interface EventsSlice {
  syncer: SyncerStatus | null;
  loadSyncer(): Promise<void>;
  syncNow(): Promise<void>;
  /** Applies `syncer` events as they arrive; returns the unsubscribe. */
  watchSyncer(): () => void;
}

/** Creates the events slice. */
export const createEventsSlice: StateCreator<StudioState, [], [], EventsSlice> = (set, get) => ({
  syncer: null,
  loadSyncer: async () => {
    const syncer = await get().track('syncer', () => call('syncer.status', {}));
    if (syncer) set({ syncer });
  },
  syncNow: async () => {
    await get().track('syncer.syncNow', () => call('syncer.syncNow', {}));
  },
  watchSyncer: () => onEvent('syncer', (syncer) => set({ syncer })),
});
