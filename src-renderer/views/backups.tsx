import { useEffect, type ReactNode } from 'react';
import { Command, EmptyState } from '../components/empty-state';
import { Loadable } from '../components/loadable';
import { RefreshButton } from '../components/refresh-button';
import { Card, Page } from '../components/page';
import { exactTime, formatBytes, timeAgo } from '../format';
import { useStudio } from '../store';

/** Backups: the archives of this home; Back up now, verify and restore arrive with the backups GUI. */
export function BackupsView(): ReactNode {
  const backups = useStudio((s) => s.backups);
  const load = useStudio((s) => s.loadBackups);
  const loading = useStudio((s) => s.requests.backups?.loading ?? false);
  useEffect(() => void load(), [load]);
  return (
    <Page
      id="backups"
      title="Backups"
      subtitle="Archives of your stores, CAS and events, in the Go foxctl's format."
      actions={
        <RefreshButton onRefresh={() => void load()} busy={loading} />
      }
    >
      <Loadable request="backups" data={backups} retry={() => void load()}>
        {(list) =>
          list.length === 0 ? (
            <EmptyState icon="backups" title="No backups yet" testId="backups-empty">
              <p>
                Each backup will be listed here with its age, size and the stores it holds. Sync-critical and sync-useful stores are always included; rebuildable local stores are
                left out unless you ask.
              </p>
              <p>
                Take the first one from a terminal: <Command>foxctl backup create</Command>
              </p>
            </EmptyState>
          ) : (
            <Card title={`${list.length} backup${list.length === 1 ? '' : 's'}`}>
              <table className="table" data-testid="backups-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Created</th>
                    <th scope="col">Contents</th>
                    <th scope="col" className="num">
                      Size
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((b) => (
                    <tr key={b.file} data-backup={b.name}>
                      <th scope="row">
                        <div className="mono">{b.name}</div>
                        {b.go_format ? <span className="tag">Go foxctl</span> : null}
                        {b.problem ? <div className="error-text small">{b.problem}</div> : null}
                      </th>
                      <td title={exactTime(b.created_at)}>{timeAgo(b.created_at)}</td>
                      <td className="muted">
                        {b.stores.length} stores · {b.files} files
                        <div className="small">{b.components.join(', ')}</div>
                      </td>
                      <td className="num">{formatBytes(b.size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
          )
        }
      </Loadable>
    </Page>
  );
}
