import type { ReactNode } from 'react';
import type { Attention } from '../../src-preload/contract';
import { Icon } from '../shared/icons';
import { useStudio } from '../store';

function ActionButton({ item }: { item: Attention }): ReactNode {
  const navigate = useStudio((s) => s.navigate);
  const askRestore = useStudio((s) => s.askRestore);
  const a = item.action;
  const onClick = (): void => {
    if (a.kind === 'restore-store') {
      askRestore({ backup: a.backup, store: a.store });
      navigate('backups');
    } else navigate(a.view);
  };
  return (
    <button type="button" className={`btn${item.severity === 'bad' ? ' btn-primary' : ''}`} onClick={onClick} data-testid="attention-action">
      {a.label}
    </button>
  );
}

/**
 * The top of the Overview when something is wrong: one line per problem, worst first, each with
 * the button that fixes it (restore the store, open the rejects). Nothing is shown when all is well.
 */
export function AttentionPanel({ items }: { items: Attention[] }): ReactNode {
  if (items.length === 0) return null;
  const bad = items.some((i) => i.severity === 'bad');
  return (
    <section className={`card attention ${bad ? 'card-bad' : 'card-warn'}`} role="region" aria-label="Needs attention" data-testid="attention" data-severity={bad ? 'bad' : 'warn'}>
      <header className="card-header">
        <h2>
          <Icon name="warning" size={16} /> {items.length === 1 ? 'One thing needs attention' : `${items.length} things need attention`}
        </h2>
      </header>
      <ul className="attention-list">
        {items.map((i) => (
          <li key={i.id} data-testid="attention-item" data-id={i.id} data-severity={i.severity}>
            <div>
              <strong className={i.severity === 'bad' ? 'error-text' : 'warn-text'}>{i.title}</strong>
              <div className="muted small">{i.detail}</div>
            </div>
            <ActionButton item={i} />
          </li>
        ))}
      </ul>
    </section>
  );
}
