import { useState, type ReactNode } from 'react';
import type { DbInfo, Store } from '../../src-preload/contract';
import { formatBytes, formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { Card } from '../shared/page';
import { RefreshButton } from '../shared/refresh-button';
import { StoreCheck } from './check';
import { StoreConsole } from './console';
import { StoreMigrateWizard } from './migrate-wizard';
import { mainTable } from './stores-slice';
import { StoreSchema } from './schema';
import { StoreTables } from './tables';

/** The tabs of a store's detail. */
const TABS = [
  ['data', 'Tables & rows'],
  ['schema', 'Schema'],
  ['sql', 'SQL console'],
  ['check', 'Integrity'],
  ['move', 'Move to PostgreSQL / Turso'],
] as const;

type Tab = (typeof TABS)[number][0];

/** The database's vital statistics in one row of facts. */
function InfoFacts({ info }: { info: DbInfo }): ReactNode {
  return (
    <>
      <dl className="store-facts" data-testid="store-info">
        <div>
          <dt>Size</dt>
          <dd>
            {formatBytes(info.size_bytes)}
            {info.wal_bytes > 0 ? <span className="muted small"> incl. WAL {formatBytes(info.wal_bytes)}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Schema version</dt>
          <dd>{info.schema_version ?? info.index_schema_version ?? '—'}</dd>
        </div>
        <div>
          <dt>Objects</dt>
          <dd>
            {info.tables} tables · {info.indexes} indexes{info.views ? ` · ${info.views} views` : ''}
            {info.triggers ? ` · ${info.triggers} triggers` : ''}
          </dd>
        </div>
        {info.driver === 'postgres' ? null : (
          <div>
            <dt>Pages</dt>
            <dd>
              {formatCount(info.page_count)} × {formatBytes(info.page_size)}
              {info.freelist_count > 0 ? <span className="muted small"> · {formatCount(info.freelist_count)} free</span> : null}
            </dd>
          </div>
        )}
        <div>
          <dt>{info.driver === 'postgres' ? 'Encoding' : 'Journal'}</dt>
          <dd>{info.driver === 'postgres' ? info.encoding : `${info.journal_mode} · ${info.encoding}`}</dd>
        </div>
        <div>
          <dt>Server</dt>
          <dd>{info.server_version}</dd>
        </div>
      </dl>
      <div className="store-path">
        <code className="mono small" title={info.path}>
          {info.path}
        </code>
      </div>
    </>
  );
}

/**
 * One store's database, as a DB Browser user expects it: vital statistics, then tabs for the
 * tables with their rows, the schema, a read-only SQL console and the integrity check. Every read
 * is a short read-only open: a live store is never locked or changed.
 */
export function StoreDetail({ store }: { store: Store | null }): ReactNode {
  const ref = useStudio((s) => s.storeSelected);
  const info = useStudio((s) => s.storeInfo);
  const open = useStudio((s) => s.openStore);
  const reload = useStudio((s) => s.loadStoreDetail);
  const refresh = useStudio((s) => s.refreshStore);
  const busy = useStudio((s) => (s.requests['db.info']?.loading ?? false) || (s.requests['db.tables']?.loading ?? false));
  const tables = useStudio((s) => s.storeTables);
  const infoErr = useStudio((s) => (s.requests['db.info'] ?? IDLE).error);
  const tablesErr = useStudio((s) => (s.requests['db.tables'] ?? IDLE).error);
  const [tab, setTab] = useState<Tab>('data');
  const [visited, setVisited] = useState<Set<Tab>>(() => new Set<Tab>(['data']));
  if (!ref) return null;
  // Where the store lives, its secret masked: what the engine answered, else the store list's view.
  const driver = info?.driver ?? store?.driver ?? null;
  const location = info?.path ?? store?.location ?? null;
  // The console starts on the table the browser opens on (the store's main table).
  const firstTable = tables ? mainTable(tables)?.name : undefined;
  const emptySql = driver === 'postgres' ? "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = current_schema()" : 'SELECT name, type FROM sqlite_schema';
  // The move copies the store's SQLite file: a store already on a server, keyed (rebuilt per
  // device) or owned by another tool has nothing it could move, so it gets no such tab.
  const movable = driver === 'sqlite' && store !== null && !store.keyed && !store.read_only && store.class !== 'external';
  const tabs = TABS.filter(([id]) => id !== 'move' || movable).map(([id, label]) => ({ id, label }));
  const shown: Tab = tabs.some((t) => t.id === tab) ? tab : 'data';
  const panel = (id: Tab): ReactNode => {
    switch (id) {
      case 'data':
        return (
          <>
            {tablesErr ? <ErrorNotice error={tablesErr} onRetry={() => void reload()} /> : null}
            {tables === null && !tablesErr ? (
              <div className="loading" role="status">
                <span className="spinner" aria-hidden="true" /> Counting rows…
              </div>
            ) : (
              <StoreTables />
            )}
          </>
        );
      case 'schema':
        return <StoreSchema />;
      case 'sql':
        return <StoreConsole initialSql={firstTable ? `SELECT * FROM "${firstTable.replace(/"/g, '""')}" LIMIT 100` : emptySql} driver={driver} />;
      case 'check':
        return <StoreCheck />;
      case 'move':
        return <StoreMigrateWizard store={ref} />;
    }
  };
  return (
    <div className="store-detail" data-testid="store-detail" data-store={ref.name} data-key={ref.key ?? ''}>
      <div className="store-detail-head">
        <button type="button" className="btn btn-quiet" onClick={() => open(null)} data-testid="store-back">
          ← All stores
        </button>
        <h2 className="store-detail-title">
          {ref.name}
          {ref.key ? <span className="muted"> · {ref.key}</span> : null}
        </h2>
        {store ? <span className={`class-pill class-${store.class}`}>{store.class.replace('_', '-')}</span> : null}
        {store?.description ? <span className="muted small">{store.description}</span> : null}
        {driver ? (
          <span className="store-driver small" data-testid="store-driver">
            <span className="state-badge">{driver}</span>{' '}
            {location ? (
              <code className="mono" data-testid="store-location" title={location}>
                {location}
              </code>
            ) : null}
          </span>
        ) : null}
        <span className="store-spacer" />
        <RefreshButton onRefresh={() => void refresh()} busy={busy} />
      </div>
      <Card>
        {infoErr ? <ErrorNotice error={infoErr} onRetry={() => void reload()} /> : null}
        {info ? <InfoFacts info={info} /> : infoErr ? null : <div className="loading" role="status"><span className="spinner" aria-hidden="true" /> Reading…</div>}
        {info ? <CliEquivalent cli={info.cli} /> : null}
      </Card>
      <div className="store-tabs" role="tablist" aria-label={`${ref.name} detail`}>
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={shown === t.id} className={`store-tab${shown === t.id ? ' store-tab-selected' : ''}`} onClick={() => {
              setTab(t.id);
              setVisited((v) => new Set(v).add(t.id));
            }} data-tab={t.id}>
            {t.label}
          </button>
        ))}
      </div>
      <Card className="store-tab-panel">
        {tabs
          .filter((t) => visited.has(t.id))
          .map((t) => (
            // Visited panels stay mounted (hidden): the console keeps its SQL and result across tabs.
            <div key={t.id} role="tabpanel" aria-label={t.label} hidden={shown !== t.id} data-panel={t.id}>
              {panel(t.id)}
            </div>
          ))}
      </Card>
    </div>
  );
}
