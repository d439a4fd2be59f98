import type { StateCreator } from 'zustand';
import type { CallArgs, CallOutput, CasGcDryRun, CasObject, CasPreview } from '../../src-preload/contract';
import { call, putFile } from '../shared/bridge';
import { casCliEquivalent } from './cli';
import { casNames } from './names';
import { asBridgeError } from '../shared/requests-slice';
import type { StudioState } from '../store';

/** Filters of the object list (the cas.list input minus paging). */
export type CasFilter = Omit<CallArgs<'cas.list'>, 'cursor' | 'limit'>;

/** One dropped file on its way into the CAS. */
export interface CasUpload {
  key: string;
  name: string;
  size: number;
  state: 'uploading' | 'stored' | 'existed' | 'error' | 'canceled';
  /** Bytes the browser sent so far (browser mode); what counts is what the studio received: the job's progress. */
  sent: number;
  /** The page's own id of the upload, which its job carries (client_ref) from its first byte on. */
  ref: string;
  jobId: string | null;
  digest: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** CAS stats as cas.stats returns them. */
export type CasStats = CallOutput<'cas.stats'>;

/** The CAS view's data: stats, the object list, the selection, uploads, gc and verify. */
export interface CasSlice {
  casStats: CasStats | null;
  casObjects: CasObject[] | null;
  casCursor: string | null;
  casFilter: CasFilter;
  casSelected: string | null;
  casPreview: CasPreview | null;
  casUploads: CasUpload[];
  casGcDryRun: CasGcDryRun | null;
  casGcJob: string | null;
  casVerifyJob: string | null;
  /** The `foxctl cas ...` line of the last action on an object (Show CLI equivalent). */
  casLastCli: { digest: string; cli: string } | null;
  /** The last Save as…: where it went (Electron) or that the verified download started (browser). */
  casSaved: { digest: string; path: string | null; download: boolean } | null;
  loadCas(filter?: CasFilter): Promise<void>;
  loadMoreCas(): Promise<void>;
  selectCasObject(digest: string | null): void;
  loadCasPreview(digest: string): Promise<void>;
  setCasPin(digest: string, pinned: boolean): Promise<void>;
  removeCasObject(digest: string): Promise<boolean>;
  /** Uploads files; `paths` names them in the list (a dropped folder's files by their path in it). */
  uploadToCas(files: File[], paths?: string[]): void;
  cancelCasUpload(key: string): void;
  clearCasUploads(): void;
  casGcDryRunNow(olderThan: string): Promise<void>;
  casGcRun(olderThan: string): Promise<void>;
  casVerifyAll(): Promise<void>;
  addCasTags(digest: string, tags: string[]): Promise<boolean>;
  saveCasObject(o: CasObject): Promise<void>;
}

/** Objects fetched per page of the list (the list is virtualized, so pages can be large). */
const PAGE = 1000;

/** Abort controllers of uploads in flight, by upload key (not state: they are not data). */
const controllers = new Map<string, AbortController>();
let uploadCounter = 0;

/** Creates the CAS slice. */
export const createCasSlice: StateCreator<StudioState, [], [], CasSlice> = (set, get) => {
  const patchUpload = (key: string, patch: Partial<CasUpload>): void =>
    set((s) => ({ casUploads: s.casUploads.map((u) => (u.key === key ? { ...u, ...patch } : u)) }));

  const upload = async (key: string, ref: string, file: File, name: string, signal: AbortSignal): Promise<void> => {
    try {
      let last = 0;
      const onProgress = (sent: number): void => {
        // At most ten updates a second: a fast local upload fires far more progress events.
        const now = Date.now();
        if (now - last < 100 && sent < file.size) return;
        last = now;
        patchUpload(key, { sent });
      };
      const { jobId, done } = await putFile(file, { name, ref, signal, onProgress });
      patchUpload(key, { jobId });
      // Browser mode: the upload's response carries the result; Electron: the job's end does.
      const result = done ? await done : await waitJobResult(get, jobId);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      const r = result.value as { digest: string; existed: boolean };
      patchUpload(key, { state: r.existed ? 'existed' : 'stored', digest: r.digest, finishedAt: Date.now() });
    } catch (err) {
      const canceled = signal.aborted;
      patchUpload(key, { state: canceled ? 'canceled' : 'error', error: canceled ? null : asBridgeError(err).message, finishedAt: Date.now() });
    } finally {
      controllers.delete(key);
      if (get().casUploads.every((u) => u.state !== 'uploading')) void get().loadCas();
    }
  };

  return {
    casStats: null,
    casObjects: null,
    casCursor: null,
    casFilter: {},
    casSelected: null,
    casPreview: null,
    casUploads: [],
    casGcDryRun: null,
    casGcJob: null,
    casVerifyJob: null,
    casLastCli: null,
    casSaved: null,
    loadCas: async (filter) => {
      const f = filter ?? get().casFilter;
      set({ casFilter: f });
      const [stats, page] = await Promise.all([get().track('cas.stats', () => call('cas.stats', {})), get().track('cas', () => call('cas.list', { ...f, limit: PAGE }))]);
      if (stats) set({ casStats: stats });
      // A newer filter may have been set meanwhile: only the latest one's page is shown.
      if (page && get().casFilter === f) set({ casObjects: page.items, casCursor: page.next_cursor });
    },
    loadMoreCas: async () => {
      const { casCursor: cursor, casFilter: f } = get();
      if (!cursor || get().requests['cas.more']?.loading) return;
      const page = await get().track('cas.more', () => call('cas.list', { ...f, limit: PAGE, cursor }));
      if (page && get().casFilter === f) set((s) => ({ casObjects: [...(s.casObjects ?? []), ...page.items], casCursor: page.next_cursor }));
    },
    selectCasObject: (digest) => {
      set({ casSelected: digest, casPreview: null, casSaved: null });
      get().clearError('cas.preview');
      get().clearError('cas.rm');
      get().clearError('cas.tag');
      get().clearError('cas.save');
    },
    loadCasPreview: async (digest) => {
      const p = await get().track('cas.preview', () => call('cas.preview', { digest }));
      if (p && get().casSelected === digest) set({ casPreview: p });
    },
    setCasPin: async (digest, pinned) => {
      set({ casLastCli: { digest, cli: casCliEquivalent({ action: pinned ? 'pin' : 'unpin', digest }) } });
      const o = await get().track('cas.pin', () => call(pinned ? 'cas.pin' : 'cas.unpin', { digest }));
      if (o) set((s) => ({ casObjects: s.casObjects?.map((x) => (x.digest === digest ? o : x)) ?? null }));
      void get().track('cas.stats', () => call('cas.stats', {})).then((stats) => stats && set({ casStats: stats }));
    },
    removeCasObject: async (digest) => {
      set({ casLastCli: { digest, cli: casCliEquivalent({ action: 'rm', digest }) } });
      const r = await get().track('cas.rm', () => call('cas.rm', { digest }));
      if (!r) return false;
      set((s) => ({ casObjects: s.casObjects?.filter((x) => x.digest !== digest) ?? null, casSelected: null, casPreview: null }));
      void get().loadCas();
      return true;
    },
    uploadToCas: (files, paths) => {
      const fresh: CasUpload[] = files.map((f, i) => ({
        key: `u${(uploadCounter += 1)}`,
        name: paths?.[i] ?? f.name,
        size: f.size,
        state: 'uploading',
        sent: 0,
        ref: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${uploadCounter}`,
        jobId: null,
        digest: null,
        error: null,
        startedAt: Date.now(),
        finishedAt: null,
      }));
      set((s) => ({ casUploads: [...s.casUploads.filter((u) => u.state === 'uploading'), ...fresh] }));
      fresh.forEach((u, i) => {
        const c = new AbortController();
        controllers.set(u.key, c);
        void upload(u.key, u.ref, files[i] as File, u.name, c.signal);
      });
    },
    cancelCasUpload: (key) => {
      controllers.get(key)?.abort();
      const jobId = get().casUploads.find((u) => u.key === key)?.jobId;
      if (jobId) void get().cancelJob(jobId);
    },
    clearCasUploads: () => set((s) => ({ casUploads: s.casUploads.filter((u) => u.state === 'uploading') })),
    casGcDryRunNow: async (olderThan) => {
      set({ casGcDryRun: null });
      const r = await get().track('cas.gc', () => call('cas.gc', { olderThan, dryRun: true }));
      if (r && 'dry_run' in r) set({ casGcDryRun: r });
    },
    casGcRun: async (olderThan) => {
      const r = await get().track('cas.gc', () => call('cas.gc', { olderThan, dryRun: false }));
      if (r && 'jobId' in r) set({ casGcJob: r.jobId, casGcDryRun: null });
    },
    addCasTags: async (digest, tags) => {
      get().clearError('cas.rm');
      set({ casLastCli: { digest, cli: casCliEquivalent({ action: 'tag', digest, tags }) } });
      const o = await get().track('cas.tag', () => call('cas.tag', { digest, tags }));
      if (o) set((s) => ({ casObjects: s.casObjects?.map((x) => (x.digest === digest ? o : x)) ?? null }));
      return !!o;
    },
    saveCasObject: async (o) => {
      const name = suggestedFileName(o);
      // A new action on the object: the previous one's refusal (a pinned delete) no longer applies.
      get().clearError('cas.rm');
      set({ casSaved: null, casLastCli: { digest: o.digest, cli: casCliEquivalent({ action: 'save', digest: o.digest, file: name }) } });
      if (get().info?.mode === 'electron') {
        // Main asks where in its own save dialog, writes a temp file and renames it once verified.
        const r = await get().track('cas.save', () => call('cas.saveAs', { digest: o.digest, name }));
        if (r?.saved) set({ casSaved: { digest: o.digest, path: r.path, download: false } });
        return;
      }
      // Browser mode: verify first so a corrupt object is named here (a failed download says little),
      // then download through a one-time link whose route re-hashes and cuts a mismatch short.
      const link = await get().track('cas.save', async () => {
        await call('cas.check', { digest: o.digest });
        return call('cas.downloadLink', { digest: o.digest, name });
      });
      if (!link) return;
      const a = document.createElement('a');
      a.href = link.url;
      a.download = name;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      set({ casSaved: { digest: o.digest, path: null, download: true } });
    },
    casVerifyAll: async () => {
      const r = await get().track('cas.verify', () => call('cas.verify', {}));
      if (r) set({ casVerifyJob: r.jobId });
    },
  };
};

/** File extensions of the kinds a person is likely to open. */
const EXTENSIONS: Record<string, string> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'text/html': 'html',
  'application/json': 'json',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
};

/** A file name for Save as…: the short digest with the kind's extension. */
export function suggestedFileName(o: Pick<CasObject, 'digest' | 'kind'> & { tags?: readonly string[] }): string {
  // The name it was put under, without its folders (a save dialog or download takes a file name).
  const named = casNames(o.tags ?? [])[0]?.split('/').pop();
  if (named) return named;
  return `${o.digest.slice(7, 19)}.${EXTENSIONS[o.kind.split(';')[0]?.trim() ?? ''] ?? 'bin'}`;
}

/** Waits for a job's end through the live `job` events the jobs slice keeps (bounded by the job itself). */
function waitJobResult(get: () => StudioState, jobId: string): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const tick = (): void => {
      const job = get().jobs[jobId];
      if (job?.state === 'ok') return resolve({ ok: true, value: job.result });
      if (job && (job.state === 'error' || job.state === 'canceled')) return resolve({ ok: false, error: job.error ?? { code: 'IO', message: job.state } });
      setTimeout(tick, 200);
    };
    tick();
  });
}
