import type { ReactNode } from 'react';

/** A progress bar; indeterminate (animated) while the total is unknown. */
export function ProgressBar({ done, total, label }: { done: number; total: number | null; label: string }): ReactNode {
  const pct = total !== null && total > 0 ? Math.min(100, (done / total) * 100) : null;
  return (
    <div
      className={`progress${pct === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
    >
      <div className="progress-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}
