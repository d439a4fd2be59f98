import type { ReactNode } from 'react';
import { Icon } from './icons';

/** What a view shows when it has nothing: what will appear here, and how to get it. */
export function EmptyState({ icon, title, children, testId }: { icon: string; title: string; children: ReactNode; testId?: string }): ReactNode {
  return (
    <div className="empty" data-testid={testId ?? 'empty-state'}>
      <div className="empty-icon">
        <Icon name={icon} size={28} />
      </div>
      <h2>{title}</h2>
      <div className="empty-body">{children}</div>
    </div>
  );
}

/** A shell command the user can copy, shown as code. */
export function Command({ children }: { children: string }): ReactNode {
  return <code className="command">{children}</code>;
}
