import { create } from 'zustand';
import { createAppSlice, type AppSlice } from './shared/app-slice';
import { createBackupsSlice, type BackupsSlice } from './backups/backups-slice';
import { createCasSlice, type CasSlice } from './cas/cas-slice';
import { createCasPlaceSlice, type CasPlaceSlice } from './cas/place-slice';
import { createEventsSlice, type EventsSlice } from './events/events-slice';
import { createJobsSlice, type JobsSlice } from './jobs/jobs-slice';
import { createOverviewSlice, type OverviewSlice } from './overview/overview-slice';
import { createRequestsSlice, type RequestsSlice } from './shared/requests-slice';
import { createSettingsSlice, type SettingsSlice } from './settings/settings-slice';
import { createStoresSlice, type StoresSlice } from './stores/stores-slice';

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
