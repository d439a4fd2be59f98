import type { StateCreator } from 'zustand';
import type { CasArtifact, CasLocation } from '../../src-preload/contract';
import { call } from '../shared/bridge';
import { asBridgeError } from '../shared/requests-slice';
import type { StudioState } from '../store';

/** An artifact's summary as the view has it: loaded, or why it could not be read. */
export type CasArtifactState = { state: 'loading' } | { state: 'ok'; info: CasArtifact } | { state: 'error'; message: string };

/** Where the home's CAS objects are (the Go sqlite cas.db beside ours), merging them, and artifact summaries. */
export interface CasPlaceSlice {
  casLocations: CasLocation[] | null;
  /** The running or last merge job, and its CLI line. */
  casMerge: { jobId: string; cli: string } | null;
  casArtifacts: Record<string, CasArtifactState>;
  loadCasLocations(): Promise<void>;
  mergeCas(from: string, to: string): Promise<void>;
  /** Loads an artifact's summary once (content under a digest never changes). */
  loadCasArtifact(digest: string): Promise<void>;
}

/** Creates the CAS places slice. */
export const createCasPlaceSlice: StateCreator<StudioState, [], [], CasPlaceSlice> = (set, get) => ({
  casLocations: null,
  casMerge: null,
  casArtifacts: {},
  loadCasLocations: async () => {
    const locs = await get().track('cas.locations', () => call('cas.locations', {}));
    if (locs) set({ casLocations: locs });
  },
  mergeCas: async (from, to) => {
    const r = await get().track('cas.merge', () => call('cas.merge', { from, to }));
    if (r) set({ casMerge: r });
  },
  loadCasArtifact: async (digest) => {
    if (get().casArtifacts[digest]) return;
    set((s) => ({ casArtifacts: { ...s.casArtifacts, [digest]: { state: 'loading' } } }));
    try {
      const info = await call('cas.artifact', { digest });
      set((s) => ({ casArtifacts: { ...s.casArtifacts, [digest]: { state: 'ok', info } } }));
    } catch (err) {
      set((s) => ({ casArtifacts: { ...s.casArtifacts, [digest]: { state: 'error', message: asBridgeError(err).message } } }));
    }
  },
});
