import type { StateCreator } from 'zustand';
import type { Backup } from '../../src-preload/contract';
import { call } from '../bridge';
import type { StudioState } from './index';

/** The Backups view's data: the archives, newest first. */
export interface BackupsSlice {
  backups: Backup[] | null;
  loadBackups(): Promise<void>;
}

/** Creates the backups slice. */
export const createBackupsSlice: StateCreator<StudioState, [], [], BackupsSlice> = (set, get) => ({
  backups: null,
  loadBackups: async () => {
    const backups = await get().track('backups', () => call('backups.list', {}));
    if (backups) set({ backups });
  },
});
