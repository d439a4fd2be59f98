import { useEffect, useState, type ReactNode } from 'react';
import { CLASS_DESCRIPTIONS, STORE_CLASSES, type Store } from '../../src-preload/contract';
import { Command, EmptyState } from '../shared/empty-state';
import { Loadable } from '../shared/loadable';
import { RefreshButton } from '../shared/refresh-button';
import { Card, Page } from '../shared/page';
import { StoreDetail } from './detail';
import { formatBytes } from '../shared/format';
import { useStudio } from '../store';
import { CLASS_LABELS } from '../overview/overview-view';
import './stores.css';

/** The backup policy of a store, in a few words. */
function policy(s: Store): string {
  if (s.read_only) return 'read-only';
  if (s.backed_up_by_default) return 'backed up';
  if (s.rebuildable) return 'rebuildable';
  return 'on request';
}

/** Where the store lives: the masked location of a remote driver, or the SQLite file. */
function location(s: Store): string | null {
  return s.location ?? s.path;
}

/** Whether the detail can open: a database that exists and was readable, on any driver. */
export function inspectable(s: Store): boolean {
  return s.exists && s.driver !== null && s.error === null && !(s.keyed && s.key === null);
}

/** Whether a store has data to show: its file exists, or it lives on a remote driver. */
function present(s: Store): boolean {
  return s.exists || (s.driver !== null && s.driver !== 'sqlite');
}

/** The store's health in a word, and why. */
function Health({ s }: { s: Store }): ReactNode {
  const warning = s.warning;
  if (s.error) return <span className="store-health store-health-bad" title={s.error}>{s.driver === null ? 'bad driver' : 'unreadable'}</span>;
  if (s.driver !== null && s.driver !== 'sqlite') {
    return <span className={`store-health ${warning ? 'store-health-warn' : 'store-health-ok'}`}>{warning ? 'check' : 'remote'}</span>;
  }
  if (!s.exists) return <span className="muted">no file yet</span>;
  return <span className="store-health store-health-ok">ok</span>;
}

function StoreRow({ s }: { s: Store }): ReactNode {
  const open = useStudio((st) => st.openStore);
  const where = location(s);
  const warning = s.warning;
  return (
    <tr data-store={s.name} data-key={s.key ?? ''} className={s.exists ? undefined : 'row-absent'}>
      <th scope="row">
        <div className="store-name">
          {inspectable(s) ? (
            <button type="button" className="store-open" onClick={() => open({ name: s.name, key: s.key })} aria-label={`Open ${s.name}${s.key ? ` ${s.key}` : ''}`}>
              {s.name}
            </button>
          ) : (
            s.name
          )}
          {s.key ? <span className="muted small"> · {s.key}</span> : null}
        </div>
        <div className="muted small">{s.description}</div>
      </th>
      <td>
        <code className="small path" title={where ?? undefined}>
          {where ? (s.driver === 'sqlite' ? where.split('/').pop() : where) : '—'}
        </code>
        {s.schema ? <div className="muted small">schema {s.schema}</div> : null}
        {warning ? <div className="warn-text small store-warning">{warning}</div> : null}
      </td>
      <td>{s.driver ?? <span className="error-text">invalid</span>}</td>
      <td>
        <span className="tag">{policy(s)}</span>
      </td>
      <td className="num">{s.schema_version ?? '—'}</td>
      <td className="num">
        {s.exists ? (
          <>
            {formatBytes(s.size_bytes)}
            {s.wal_bytes > 0 ? <div className="muted small">WAL {formatBytes(s.wal_bytes)}</div> : null}
          </>
        ) : (
          <span className="muted">—</span>
        )}
        {s.error ? <div className="error-text small">{s.error}</div> : null}
      </td>
      <td>
        <Health s={s} />
      </td>
    </tr>
  );
}

function StoresBody({ stores }: { stores: Store[] }): ReactNode {
  const [showAll, setShowAll] = useState(false);
  const withData = stores.filter(present);
  if (withData.length === 0 && !showAll) {
    return (
      <EmptyState icon="stores" title="No store has data yet" testId="stores-empty">
        <p>
          This home has {new Set(stores.map((s) => s.name)).size} registered stores (memory, sessions, tasks…). Each appears here with its size, driver and backup policy once foxctl or an agent first writes
          to it, or once you restore a backup.
        </p>
        <p>
          Point the studio at an existing home with <Command>FOXCTL_HOME=~/.foxctl foxctl studio</Command>
        </p>
        <button type="button" className="btn" onClick={() => setShowAll(true)}>
          Show all {stores.length} registered stores
        </button>
      </EmptyState>
    );
  }
  const agentData = withData.some((s) => s.class === 'sync_critical' || s.class === 'sync_useful');
  return (
    <>
      {agentData ? null : (
        <div className="notice notice-info" data-testid="stores-no-agent-data">
          <div className="notice-main">
            <div className="notice-title">No agent data yet</div>
            <div className="notice-message">
              Only the studio&apos;s own stores exist. Memory, sessions, tasks and the other sync-critical and sync-useful stores appear here once foxctl or an agent writes
              them, or after a restore.
            </div>
          </div>
        </div>
      )}
      {STORE_CLASSES.map((cls) => {
        const of = stores.filter((s) => s.class === cls && (showAll || present(s)));
        if (of.length === 0) return null;
        return (
          <Card key={cls} title={<span className={`class-pill class-${cls}`}>{CLASS_LABELS[cls]}</span>} aside={<span className="muted small">{of.length} {of.length === 1 ? 'store' : 'stores'}</span>}>
            <p className="store-class-line muted small" data-testid={`class-line-${cls}`}>
              {CLASS_DESCRIPTIONS[cls]}
            </p>
            <table className="table table-stores store-list-table" data-testid={`stores-${cls}`}>
              <thead>
                <tr>
                  <th scope="col">Store</th>
                  <th scope="col">Location</th>
                  <th scope="col">Driver</th>
                  <th scope="col">Backup</th>
                  <th scope="col" className="num">
                    Schema
                  </th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Health</th>
                </tr>
              </thead>
              <tbody>
                {of.map((s) => (
                  <StoreRow key={`${s.name}:${s.key ?? ''}`} s={s} />
                ))}
              </tbody>
            </table>
          </Card>
        );
      })}
      <div className="center">
        <button type="button" className="btn btn-quiet" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Show only stores with data' : `Show all ${stores.length} registered stores`}
        </button>
      </div>
    </>
  );
}

/** Stores: every store of the registry with its files, grouped by class. */
export function StoresView(): ReactNode {
  const stores = useStudio((s) => s.stores);
  const load = useStudio((s) => s.loadStores);
  const loading = useStudio((s) => s.requests.stores?.loading ?? false);
  const selected = useStudio((s) => s.storeSelected);
  useEffect(() => void load(), [load]);
  if (selected) {
    const store = stores?.find((s) => s.name === selected.name && s.key === selected.key) ?? null;
    return (
      <Page id="stores" title="Stores" subtitle="Read-only: browsing, queries and checks never lock or change a live store.">
        <StoreDetail store={store} />
      </Page>
    );
  }
  return (
    <Page
      id="stores"
      title="Stores"
      subtitle="The stores of this home, grouped by class: the class decides backup and sync. Open a store to browse its tables, query it or check it."
      actions={
        <RefreshButton onRefresh={() => void load()} busy={loading} />
      }
    >
      <Loadable request="stores" data={stores} retry={() => void load()}>
        {(list) => <StoresBody stores={list} />}
      </Loadable>
    </Page>
  );
}
