import type { ReactNode } from 'react';
import { Command, EmptyState } from './empty-state';
import { Page } from './page';
import { useStudio } from '../store';

/** What an area view shows before its features exist: what will appear, and how to get it now. */
export function AreaPlaceholder({
  id,
  title,
  subtitle,
  feature,
  emptyTitle,
  children,
  command,
}: {
  id: string;
  title: string;
  subtitle: string;
  feature?: 'cas';
  emptyTitle: string;
  children: ReactNode;
  command: string;
}): ReactNode {
  const present = useStudio((s) => (feature ? (s.info?.features[feature] ?? true) : true));
  return (
    <Page id={id} title={title} subtitle={subtitle}>
      <EmptyState icon={id} title={emptyTitle} testId={`${id}-empty`}>
        {children}
        <p>
          From a terminal: <Command>{command}</Command>
        </p>
        {present ? null : <p className="muted small">The {title} engine is not part of this build yet.</p>}
      </EmptyState>
    </Page>
  );
}
