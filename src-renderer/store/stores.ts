import type { StateCreator } from 'zustand';
import type { Store } from '../../src-preload/contract';
import { call } from '../bridge';
import type { StudioState } from './index';

/** The Stores view's data. */
export interface StoresSlice {
  stores: Store[] | null;
  loadStores(): Promise<void>;
}

/** Creates the stores slice. */
export const createStoresSlice: StateCreator<StudioState, [], [], StoresSlice> = (set, get) => ({
  stores: null,
  loadStores: async () => {
    const stores = await get().track('stores', () => call('stores.list', {}));
    if (stores) set({ stores });
  },
});
