import { useEffect, type ReactNode } from 'react';
import { Loadable } from '../shared/loadable';
import { useStudio } from '../store';

/** The CREATE statements of the store: each table followed by its indexes and triggers, then views. */
export function StoreSchema(): ReactNode {
  const schema = useStudio((s) => s.storeSchema);
  const load = useStudio((s) => s.loadStoreSchema);
  useEffect(() => {
    if (schema === null) void load();
  }, [schema, load]);
  return (
    <Loadable request="db.schema" data={schema} retry={() => void load()}>
      {(objects) =>
        objects.length === 0 ? (
          <p className="muted">No schema objects.</p>
        ) : (
          <div className="store-schema" data-testid="store-schema">
            {objects.map((o) => (
              <div key={`${o.type}:${o.name}`} className={`store-ddl store-ddl-${o.type}`} data-object={o.name}>
                <div className="store-ddl-head">
                  <span className="tag">{o.type}</span> <span className="mono">{o.name}</span>
                  {o.type !== 'table' && o.type !== 'view' ? <span className="muted small"> on {o.table}</span> : null}
                  <span className="store-spacer" />
                  <button type="button" className="btn btn-quiet" onClick={() => void navigator.clipboard?.writeText(`${o.sql.trim()};`)}>
                    Copy
                  </button>
                </div>
                <pre className="store-ddl-sql">{`${o.sql.trim()};`}</pre>
              </div>
            ))}
          </div>
        )
      }
    </Loadable>
  );
}
