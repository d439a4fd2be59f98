import { useState, type ReactNode } from 'react';
import type { BridgeError, CallOutput, EventFilterInput } from '../../src-preload/contract';
import { call } from '../shared/bridge';
import { exactTime, formatCount } from '../shared/format';
import { ErrorNotice } from '../shared/error-notice';
import { eventsCliCommand } from './cli';
import { Card } from '../shared/page';

type StreamPage = CallOutput<'events.streamEvents'>;

/** Lines per page of the timeline: each page reads every file again, so a page is worth having. */
const PAGE = 100;

/**
 * The timeline of every NDJSON file in events/ — current streams and logrotate's rotations,
 * `.gz` ones included — as the Go foxctl's query reads them, with the view's filter. Read on
 * request (it reads whole files); older lines page in with "Older". Free text matches as a
 * substring there, as in Go's query. Files that could not be read are named, not hidden.
 */
export function EventsStreams({ filter }: { filter: EventFilterInput }): ReactNode {
  const [page, setPage] = useState<StreamPage | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BridgeError | null>(null);
  const load = async (cursor: string | null): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const next = await call('events.streamEvents', { filter, limit: PAGE, ...(cursor ? { cursor } : {}) });
      setPage((prev) => (cursor && prev ? { ...next, rows: [...prev.rows, ...next.rows] } : next));
    } catch (err) {
      const e = err as { code?: BridgeError['code']; message?: string };
      setError({ code: e.code ?? 'IO', message: e.message ?? String(err) });
    } finally {
      setBusy(false);
    }
  };
  const unreadable = page?.files.filter((f) => f.error) ?? [];
  return (
    <Card
      className="events-streams-card"
      title="All streams timeline"
      aside={
        <button type="button" className="btn" onClick={() => void load(null)} disabled={busy} data-testid="events-streams-load">
          {busy && !page ? 'Reading…' : page ? 'Read again' : 'Read all streams'}
        </button>
      }
    >
      <p className="small muted">
        Every <code>events/*.ndjson*</code> file, rotated and gzipped ones included, newest first with this filter — what the Go foxctl shows. Same as{' '}
        <code className="mono" data-testid="events-streams-card-cli">
          {eventsCliCommand(filter, { allStreams: true })}
        </code>
      </p>
      {error ? <ErrorNotice error={error} onDismiss={() => setError(null)} /> : null}
      {page ? (
        <div data-testid="events-streams" data-rows={page.rows.length}>
          <p className="small" data-testid="events-streams-files">
            {page.files.length} {page.files.length === 1 ? 'file' : 'files'} read: {page.files.map((f) => `${f.file} (${formatCount(f.matched)})`).join(', ')}
          </p>
          {unreadable.map((f) => (
            <p key={f.file} className="small error-text" data-testid="events-streams-unreadable">
              Could not read {f.file}: {f.error}
            </p>
          ))}
          {page.rows.length === 0 ? (
            <p className="small muted">No line of the streams matches.</p>
          ) : (
            <ol className="events-streams-list">
              {page.rows.map((r) => (
                <li key={`${r.file}:${r.line}`} className={`events-streams-row${r.status === 'error' ? ' events-row-error' : ''}`} data-testid="events-streams-row">
                  <time className="mono" dateTime={r.ts} title={exactTime(r.ts)}>
                    {r.ts.replace('T', ' ').slice(0, 23)}
                  </time>
                  <span className={`events-status events-status-${r.status === null || r.status === 'ok' ? 'ok' : r.status === 'error' || r.status === 'canceled' ? r.status : 'other'}`}>{r.status ?? 'ok'}</span>
                  <span className="mono">{r.operation ?? '—'}</span>
                  <span>{r.command ?? ''}</span>
                  <span className="mono small muted" title={`${r.file}, line ${r.line}`}>
                    {r.file}:{r.line}
                  </span>
                  <span className="muted">{r.error_message ?? r.message ?? ''}</span>
                </li>
              ))}
            </ol>
          )}
          {page.next_cursor ? (
            <button type="button" className="btn btn-quiet" disabled={busy} onClick={() => void load(page.next_cursor)} data-testid="events-streams-older">
              {busy ? 'Reading…' : 'Older'}
            </button>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
