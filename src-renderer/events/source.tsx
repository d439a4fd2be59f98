import { useState, type DragEvent, type ReactNode } from 'react';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { ErrorNotice } from '../shared/error-notice';
import { Card } from '../shared/page';

/**
 * Opens another events.db read-only: a path typed in (both modes: the studio runs on this
 * machine), or a .db file dropped here. In the desktop app a dropped file's path is known; a
 * browser page never learns it, so there it asks for the path instead of copying the file.
 */
export function EventsSource(): ReactNode {
  const open = useStudio((s) => s.openEventsFile);
  const req = useStudio((s) => s.requests['events.open'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [path, setPath] = useState('');
  const [hint, setHint] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const full = window.foxctl?.pathForFile(file);
    if (full) {
      setPath(full);
      void open(full);
    } else setHint(`A browser page cannot read the location of ${file.name}: type its full path above (the studio opens it read-only in place).`);
  };
  return (
    <Card title="Open another events.db" className="events-source">
      <div
        className={`events-source-drop${over ? ' events-source-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="events-source-drop"
      >
        <p className="small muted">
          A copy from another machine or a file written by the Go foxctl (table <code>foxcular_events</code> or <code>wide_events</code>). It is opened read-only: a process writing to it is not
          disturbed. Type its path, or drop the file here.
        </p>
        <form
          className="events-source-form"
          onSubmit={(e) => {
            e.preventDefault();
            setHint(null);
            if (path.trim()) void open(path.trim());
          }}
        >
          <input className="input mono" aria-label="Path of an events.db" placeholder="/home/me/other-machine/events.db" value={path} onChange={(e) => setPath(e.target.value)} />
          <button type="submit" className="btn" disabled={req.loading || path.trim() === ''}>
            {req.loading ? 'Opening…' : 'Open read-only'}
          </button>
        </form>
      </div>
      {hint ? <p className="small warn-text">{hint}</p> : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('events.open')} /> : null}
    </Card>
  );
}
