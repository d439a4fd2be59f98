import { useState, type ReactNode } from 'react';
import type { CallArgs } from '../../src-preload/contract';

const COMPONENTS = ['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability'] as const;

/** Backup options: name, format, components, local-only stores, the full check and strict mode. */
export function OptionsPanel({ onStart }: { onStart: (opts: CallArgs<'backups.create'>) => void }): ReactNode {
  const [name, setName] = useState('');
  const [components, setComponents] = useState<string[]>([...COMPONENTS]);
  const [localOnly, setLocalOnly] = useState(false);
  const [full, setFull] = useState(false);
  const [strict, setStrict] = useState(false);
  const [format, setFormat] = useState<'' | 'tar' | 'snapshot'>('');
  const all = components.length === COMPONENTS.length;
  return (
    <div data-testid="options-panel">
      <p>
        <label>
          Name <input className="input" value={name} placeholder="default: local time" onChange={(e) => setName(e.target.value)} aria-label="Backup name" data-testid="backup-name" data-autofocus />
        </label>
      </p>
      <p>
        <label>
          Format{' '}
          <select className="input" value={format} onChange={(e) => setFormat(e.target.value as typeof format)} aria-label="Backup format" data-testid="backup-format">
            <option value="">Default</option>
            <option value="snapshot">Snapshot: incremental, stores only what changed</option>
            <option value="tar">Archive: one full .tar.gz the Go foxctl reads</option>
          </select>
        </label>
      </p>
      <fieldset className="facts" aria-label="Components">
        <legend className="small muted">Components</legend>
        {COMPONENTS.map((c) => (
          <label key={c}>
            <input type="checkbox" checked={components.includes(c)} onChange={() => setComponents((cur) => (cur.includes(c) ? cur.filter((x) => x !== c) : [...cur, c]))} /> {c}
          </label>
        ))}
      </fieldset>
      <p>
        <label>
          <input type="checkbox" checked={localOnly} onChange={(e) => setLocalOnly(e.target.checked)} /> Include local-only stores (rebuildable or device-local)
        </label>
      </p>
      <p>
        <label>
          <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} data-testid="backup-check-full" /> Full integrity check of every store (slower than the quick check; also
          compares indexes with their tables)
        </label>
      </p>
      <p>
        <label>
          <input type="checkbox" checked={strict} onChange={(e) => setStrict(e.target.checked)} data-testid="backup-strict" /> Strict: write no backup at all when a check finds a problem
        </label>
      </p>
      <button
        type="button"
        className="btn btn-primary"
        disabled={components.length === 0}
        data-testid="backup-with-options"
        onClick={() =>
          onStart({ ...(name.trim() ? { name: name.trim() } : {}), ...(format ? { format } : {}), ...(all ? {} : { components }), ...(localOnly ? { includeLocalOnly: true } : {}), ...(full ? { check: 'full' } : {}), ...(strict ? { strict: true } : {}) })
        }
      >
        Back up with these options
      </button>
    </div>
  );
}

