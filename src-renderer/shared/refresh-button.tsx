import type { ReactNode } from 'react';
import { Icon } from './icons';

/** The Refresh action of a view's header, disabled while its request runs. */
export function RefreshButton({ onRefresh, busy }: { onRefresh: () => void; busy: boolean }): ReactNode {
  return (
    <button type="button" className="btn" onClick={onRefresh} disabled={busy}>
      <Icon name="refresh" size={16} /> Refresh
    </button>
  );
}
