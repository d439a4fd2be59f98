import type { StateCreator } from 'zustand';
import type { Overview } from '../../src-preload/contract';
import { call } from '../shared/bridge';
import type { StudioState } from '../store';

/** The Overview's data. */
export interface OverviewSlice {
  overview: Overview | null;
  loadOverview(): Promise<void>;
}

/** Creates the overview slice. */
export const createOverviewSlice: StateCreator<StudioState, [], [], OverviewSlice> = (set, get) => ({
  overview: null,
  loadOverview: async () => {
    const overview = await get().track('overview', () => call('overview.get', {}));
    if (overview) set({ overview });
  },
});
