import type { StateCreator } from 'zustand';
import type { Job } from '../../src-preload/contract';
import { call, onEvent } from '../shared/bridge';
import type { StudioState } from '../store';

/** How many finished jobs the panel keeps. */
const KEEP = 100;

/** The Jobs panel's data: jobs by id, kept live by `job` events. */
export interface JobsSlice {
  jobs: Record<string, Job>;
  jobsLoaded: boolean;
  loadJobs(): Promise<void>;
  cancelJob(id: string): Promise<void>;
  /** Applies `job` events as they arrive; returns the unsubscribe. */
  watchJobs(): () => void;
}

/** Whether a job state is final. */
export function isFinal(state: Job['state']): boolean {
  return state === 'ok' || state === 'error' || state === 'canceled';
}

/** Jobs newest first. */
export function sortJobs(jobs: Record<string, Job>): Job[] {
  return Object.values(jobs).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1));
}

/** Creates the jobs slice. */
export const createJobsSlice: StateCreator<StudioState, [], [], JobsSlice> = (set, get) => ({
  jobs: {},
  jobsLoaded: false,
  loadJobs: async () => {
    const list = await get().track('jobs', () => call('jobs.list', { limit: KEEP }));
    if (!list) return;
    set((s) => {
      const jobs: Record<string, Job> = {};
      for (const j of list) jobs[j.id] = j;
      // A live update that arrived while the list loaded wins, unless the list already saw the end.
      for (const j of Object.values(s.jobs)) {
        const listed = jobs[j.id];
        if (!listed || (isFinal(j.state) && !isFinal(listed.state))) jobs[j.id] = j;
      }
      return { jobs, jobsLoaded: true };
    });
  },
  cancelJob: async (id) => {
    await get().track(`jobs.cancel:${id}`, () => call('jobs.cancel', { id }));
  },
  watchJobs: () =>
    onEvent('job', (job) => {
      set((s) => ({ jobs: { ...s.jobs, [job.id]: job } }));
    }),
});
