import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../src-preload/contract';
import { call } from '../bridge';
import type { StudioState } from './index';

/** The Settings view's data: effective config values with their sources. */
export interface SettingsSlice {
  config: CallOutput<'config.show'> | null;
  loadConfig(): Promise<void>;
}

/** Creates the settings slice. */
export const createSettingsSlice: StateCreator<StudioState, [], [], SettingsSlice> = (set, get) => ({
  config: null,
  loadConfig: async () => {
    const config = await get().track('config', () => call('config.show', {}));
    if (config) set({ config });
  },
});
