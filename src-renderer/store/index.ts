import { create } from 'zustand';
import { createAppSlice, type AppSlice } from './app';
import { createBackupsSlice, type BackupsSlice } from './backups';
import { createCasSlice, type CasSlice } from './cas';
import { createCasPlaceSlice, type CasPlaceSlice } from './cas-place';
import { createEventsSlice, type EventsSlice } from './events';
import { createJobsSlice, type JobsSlice } from './jobs';
import { createOverviewSlice, type OverviewSlice } from './overview';
import { createRequestsSlice, type RequestsSlice } from './requests';
import { createSettingsSlice, type SettingsSlice } from './settings';
import { createStoresSlice, type StoresSlice } from './stores';

/** The whole renderer state: one slice per area, plus the shared request state. */
export type StudioState = RequestsSlice & AppSlice & OverviewSlice & StoresSlice & JobsSlice & SettingsSlice & BackupsSlice & EventsSlice & CasSlice & CasPlaceSlice;

/** The renderer's store. */
export const useStudio = create<StudioState>()((...a) => ({
  ...createRequestsSlice(...a),
  ...createAppSlice(...a),
  ...createOverviewSlice(...a),
  ...createStoresSlice(...a),
  ...createJobsSlice(...a),
  ...createSettingsSlice(...a),
  ...createBackupsSlice(...a),
  ...createEventsSlice(...a),
  ...createCasSlice(...a),
  ...createCasPlaceSlice(...a),
}));
