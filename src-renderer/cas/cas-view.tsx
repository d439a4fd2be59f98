import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { CasDetail } from './detail';
import { CasDropZone } from './drop-zone';
import { CasLocations } from './locations';
import { CasGcPanel } from './maintenance';
import { CasVerifyPanel, verifyResultOf } from './verify';
import { CasObjectList } from './object-list';
import { CasUploads } from './uploads';
import { Command, EmptyState } from '../shared/empty-state';
import { Loadable } from '../shared/loadable';
import { Card, Page } from '../shared/page';
import { RefreshButton } from '../shared/refresh-button';
import { formatBytes, formatCount } from '../shared/format';
import { useStudio } from '../store';
import type { CasStats } from './cas-slice';
import './cas.css';

function StatsStrip({ stats }: { stats: CasStats }): ReactNode {
  return (
    <div className="stat-row" data-testid="cas-stats">
      <div className="stat">
        <div className="stat-label">Objects</div>
        <div className="stat-value" data-testid="cas-stat-objects">
          {formatCount(stats.objects)}
        </div>
      </div>
      <div className="stat">
        <div className="stat-label">Stored</div>
        <div className="stat-value">{formatBytes(stats.bytes)}</div>
      </div>
      <div className="stat">
        <div className="stat-label">Pinned</div>
        <div className="stat-value">{formatCount(stats.pinned)}</div>
        <div className="stat-sub">{formatBytes(stats.pinned_bytes)}</div>
      </div>
      <div className="stat">
        <div className="stat-label">Backend</div>
        <div className="stat-value">{stats.backend}</div>
        <div className="stat-sub mono" title={stats.location}>
          {stats.location.split('/').slice(-2).join('/')}
        </div>
      </div>
    </div>
  );
}

/** CAS: drop files in, browse, preview, pin, delete, collect garbage and verify. */
export function CasView(): ReactNode {
  const objects = useStudio((s) => s.casObjects);
  const stats = useStudio((s) => s.casStats);
  const filter = useStudio((s) => s.casFilter);
  const load = useStudio((s) => s.loadCas);
  const loading = useStudio((s) => s.requests.cas?.loading ?? false);
  const upload = useStudio((s) => s.uploadToCas);
  const selected = useStudio((s) => s.casSelected);
  const verifyJob = useStudio((s) => (s.casVerifyJob ? s.jobs[s.casVerifyJob] : undefined));
  const gcJob = useStudio((s) => (s.casGcJob ? s.jobs[s.casGcJob] : undefined));
  const picker = useRef<HTMLInputElement>(null);
  const folderPicker = useRef<HTMLInputElement>(null);
  // React has no typed prop for webkitdirectory: set it on the element (every current browser has it).
  useEffect(() => {
    folderPicker.current?.setAttribute('webkitdirectory', '');
  }, []);
  useEffect(() => void load(), [load]);
  // A finished gc changes the list: reload once it ends.
  const gcEnded = gcJob?.state === 'ok';
  useEffect(() => {
    if (gcEnded) void load();
  }, [gcEnded, load]);
  // Parsed once per job update: a result may list thousands of problems.
  const verified = useMemo(() => verifyResultOf(verifyJob), [verifyJob]);
  const corrupt = useMemo(() => new Set(verified?.corrupt ?? []), [verified]);
  const selectedObject = objects?.find((o) => o.digest === selected) ?? null;
  const filtered = Object.keys(filter).some((k) => k !== 'sort');
  return (
    <CasDropZone onFiles={upload}>
      <Page
        id="cas"
        title="CAS"
        subtitle="Content-addressable store: files kept once by their SHA-256. Drop files or folders anywhere on this view."
        actions={
          <>
            <button type="button" className="btn" onClick={() => picker.current?.click()}>
              Add files…
            </button>
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              data-testid="cas-file-input"
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                if (files.length) upload(files);
              }}
            />
            <button type="button" className="btn" onClick={() => folderPicker.current?.click()}>
              Add folder…
            </button>
            <input
              ref={folderPicker}
              type="file"
              multiple
              hidden
              data-testid="cas-folder-input"
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                // Each file of the folder, recursively, named by its path in it.
                if (files.length) upload(files, files.map((f) => f.webkitRelativePath || f.name));
              }}
            />
            <RefreshButton onRefresh={() => void load()} busy={loading} />
          </>
        }
      >
        {stats ? <StatsStrip stats={stats} /> : null}
        <CasLocations />
        <CasUploads />
        <Loadable request="cas" data={objects} retry={() => void load()}>
          {(list) =>
            list.length === 0 && !filtered ? (
              <EmptyState icon="cas" title="No objects in the CAS yet" testId="cas-empty">
                <p>Drop files here (several at once, or whole folders): each is stored once by its SHA-256 digest, and content already stored is recognized.</p>
                <p>
                  From a terminal: <Command>foxctl cas put FILE</Command>
                </p>
              </EmptyState>
            ) : (
              <div className="cas-layout">
                <Card title="Objects">
                  <CasObjectList objects={list} corrupt={corrupt} />
                </Card>
                {selectedObject ? <CasDetail o={selectedObject} corrupt={corrupt.has(selectedObject.digest)} /> : null}
              </div>
            )
          }
        </Loadable>
        {/* Problems to list need the width: the panels stack. */}
        <div className={verified && !verified.ok ? 'cas-maintenance cas-maintenance-stacked' : 'cas-maintenance'}>
          <CasGcPanel />
          <CasVerifyPanel />
        </div>
      </Page>
    </CasDropZone>
  );
}
