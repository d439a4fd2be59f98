import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { STORE_CLASSES, type Settings, type StoreDriverRow, type StoreDriversInfo } from '../../src-preload/contract';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CLASS_LABELS } from '../overview/overview-view';
import { ErrorNotice } from '../shared/error-notice';
import { Loadable } from '../shared/loadable';

/** A select's value for "no driver of its own": the store follows db.driver. */
const DEFAULT = '';

/** The source of a store's driver, as a tag like the other settings. */
function DriverSource({ row }: { row: StoreDriverRow }): ReactNode {
  if (row.source === 'env') return <span className="tag tag-env">${row.envVar}</span>;
  if (row.source === 'file') return <span className="tag tag-file">config file</span>;
  return <span className="tag">default</span>;
}

/** The warning a draft would bring: a local_only store on a driver other devices may share. */
function draftWarning(row: StoreDriverRow, draft: string): string | null {
  if (row.class !== 'local_only' || draft === DEFAULT || draft === 'sqlite') return null;
  return `${row.store} is local_only: on ${draft} it would live in a database other devices may share (unless the URL is a file:). Keep it on sqlite unless you mean it.`;
}

/** One store: its effective driver and source, a select to change it, its warning and env equivalent. */
function DriverRow({ row, info }: { row: StoreDriverRow; info: StoreDriversInfo }): ReactNode {
  const current = row.saved ?? DEFAULT;
  const [draft, setDraft] = useState(current);
  useEffect(() => setDraft(current), [current]);
  const apply = useStudio((s) => s.setStoreDriver);
  const req = useStudio((s) => s.requests[`settings.setStoreDriver:${row.store}`] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const envSet = row.source === 'env';
  const changed = draft !== current;
  const preview = changed ? draftWarning(row, draft) : null;
  const envLine = `${row.envVar}=${changed ? draft || info.defaultDriver : (row.driver ?? current) || info.defaultDriver}`;
  const note = preview ?? row.warning;
  return (
    <>
      <tr data-store={row.store} data-testid={`driver-row-${row.store}`}>
        <th scope="row" className="mono">
          {row.store}
          {row.keyed ? <span className="muted small"> · keyed</span> : null}
        </th>
        <td className="store-driver-use">
          <strong data-testid={`driver-${row.store}`} className={row.driver ? undefined : 'warn-text'}>
            {row.driver ?? 'invalid'}
          </strong>{' '}
          <DriverSource row={row} />
        </td>
        <td>
          <div className="store-driver-edit">
            <select className="input" value={draft} onChange={(e) => setDraft(e.target.value)} disabled={envSet || req.loading} aria-label={`Driver of ${row.store}`}>
              <option value={DEFAULT}>default ({info.defaultDriver})</option>
              {row.allowed.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
            {changed ? (
              <>
                <button type="button" className="btn btn-primary settings-small-btn" disabled={req.loading} onClick={() => void apply(row.store, row.allowed.find((a) => a === draft) ?? null)}>
                  {req.loading ? 'Saving…' : 'Save'}
                </button>
                <button type="button" className="btn btn-quiet settings-small-btn" disabled={req.loading} onClick={() => setDraft(current)}>
                  Cancel
                </button>
              </>
            ) : row.saved && !envSet ? (
              <button type="button" className="btn btn-quiet settings-small-btn" disabled={req.loading} onClick={() => void apply(row.store, null)} data-testid={`driver-reset-${row.store}`}>
                Reset
              </button>
            ) : null}
          </div>
        </td>
        <td className="mono small muted store-driver-env">{envLine}</td>
      </tr>
      {envSet || note || row.error || req.error ? (
        <tr className="store-driver-notes">
          <td colSpan={4}>
            {envSet ? (
              <div className="settings-env-note small" data-testid={`driver-env-${row.store}`}>
                ${row.envVar} decides ({row.driver ?? 'invalid'}){row.saved ? `; the saved ${row.saved} applies once it is unset` : ''}: unset it to choose here.
              </div>
            ) : null}
            {note ? (
              <div className="warn-text small" role="status" data-testid={`driver-warning-${row.store}`}>
                ⚠ {note}
              </div>
            ) : null}
            {row.error ? (
              <div className="settings-error small" data-testid={`driver-error-${row.store}`}>
                {row.error}
              </div>
            ) : null}
            {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear(`settings.setStoreDriver:${row.store}`)} /> : null}
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * "Store drivers": every writable store grouped by class, with its effective driver and where it
 * comes from (default / config file / env), a select saved as `stores.<store>.driver` in
 * config.yaml, the local_only warning of `stores list`, and the env equivalent.
 */
export function SettingsStoreDrivers({ settings }: { settings: Settings }): ReactNode {
  const info = useStudio((s) => s.storeDrivers);
  const load = useStudio((s) => s.loadStoreDrivers);
  // Reload whenever the settings change: a saved DSN or db.driver changes what every store resolves to.
  useEffect(() => void load(), [load, settings]);
  return (
    <Loadable request="settings.storeDrivers" data={info} retry={() => void load()}>
      {(d) => (
        <div data-testid="store-drivers">
          <p className="muted small store-driver-intro">
            A store without a driver of its own uses <code>db.driver</code> (<strong data-testid="default-driver">{d.defaultDriver}</strong>, {d.defaultFrom}). Choosing one saves{' '}
            <code>stores.&lt;store&gt;.driver</code> in the config file; <code>$FOXCTL_&lt;STORE&gt;_DB_DRIVER</code> wins over it. turso and postgres need the form below saved first.
          </p>
          <table className="table settings-table store-driver-table">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">In use</th>
                <th scope="col">Driver</th>
                <th scope="col">Env equivalent</th>
              </tr>
            </thead>
            <tbody>
              {STORE_CLASSES.map((cls) => {
                const rows = d.stores.filter((r) => r.class === cls);
                if (rows.length === 0) return null;
                return (
                  <Fragment key={cls}>
                    <tr className="store-driver-group">
                      <td colSpan={4}>
                        <span className={`class-pill class-${cls}`}>{CLASS_LABELS[cls]}</span>
                      </td>
                    </tr>
                    {rows.map((r) => (
                      <DriverRow key={r.store} row={r} info={d} />
                    ))}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
          {d.external.length > 0 ? (
            <p className="muted small" data-testid="store-drivers-external">
              {d.external.join(', ')}: external, read-only here, no driver to choose.
            </p>
          ) : null}
        </div>
      )}
    </Loadable>
  );
}
