import type { ReactNode } from 'react';
import type { EventFilterInput } from '../../src-preload/contract';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { EVENT_FACETS } from './events-slice';

const LABELS: Record<(typeof EVENT_FACETS)[number], string> = {
  status: 'Status',
  operation: 'Operation',
  command: 'Command',
  session_id: 'Session',
  agent_id: 'Agent',
  workspace_id: 'Workspace',
};

/**
 * Facets beside the table: the top values of each field under the current filter, with counts
 * and a bar. Clicking a value filters on it; clicking the value filtered on removes the filter.
 */
export function EventsFacets(): ReactNode {
  const facets = useStudio((s) => s.evFacets);
  const filter = useStudio((s) => s.evFilter);
  const preset = useStudio((s) => s.evPreset);
  const load = useStudio((s) => s.loadEvents);
  const toggle = (field: (typeof EVENT_FACETS)[number], value: string): void => {
    const on = filter[field] === value;
    const next: EventFilterInput = { ...filter, [field]: on ? undefined : value };
    void load(next, preset);
  };
  return (
    <aside className="events-facets" aria-label="Facets" data-testid="events-facets">
      {EVENT_FACETS.map((field) => {
        const values = facets[field];
        const max = Math.max(1, ...(values ?? []).map((v) => v.count));
        return (
          <section key={field} className="events-facet" data-testid={`events-facet-${field}`}>
            <h3>{LABELS[field]}</h3>
            {values === undefined ? (
              <p className="muted small">Counting…</p>
            ) : values.length === 0 ? (
              <p className="muted small">none</p>
            ) : (
              <ul>
                {values.map((v) => {
                  const on = v.value !== null && filter[field] === v.value;
                  return (
                    <li key={v.value ?? '\u0000null'}>
                      <button
                        type="button"
                        className={`events-facet-value${on ? ' events-facet-on' : ''}${field === 'status' ? ` events-facet-${v.value ?? 'none'}` : ''}`}
                        disabled={v.value === null}
                        aria-pressed={on}
                        title={v.value === null ? 'events without a value' : on ? `remove the ${LABELS[field].toLowerCase()} filter` : `only ${v.value}`}
                        onClick={() => v.value !== null && toggle(field, v.value)}
                      >
                        <span className="events-facet-bar" style={{ width: `${(v.count / max) * 100}%` }} aria-hidden="true" />
                        <span className="events-facet-name">{v.value ?? '(none)'}</span>
                        <span className="events-facet-count">{formatCount(v.count)}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
        );
      })}
    </aside>
  );
}
