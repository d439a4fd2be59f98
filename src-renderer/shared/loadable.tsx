import type { ReactNode } from 'react';
import { useStudio } from '../store';
import { IDLE } from './requests-slice';
import { ErrorNotice } from './error-notice';

/**
 * Renders a request's data, or its loading state, or its error with Try again: the one place
 * views handle loading and failure. Stale data stays visible under an error of a refresh.
 */
export function Loadable<T>({ request, data, retry, children }: { request: string; data: T | null; retry: () => void; children: (data: T) => ReactNode }): ReactNode {
  const state = useStudio((s) => s.requests[request] ?? IDLE);
  return (
    <>
      {state.error ? <ErrorNotice error={state.error} onRetry={retry} /> : null}
      {data !== null ? (
        children(data)
      ) : state.error ? null : (
        <div className="loading" role="status" aria-live="polite" data-testid="loading">
          <span className="spinner" aria-hidden="true" /> Loading…
        </div>
      )}
    </>
  );
}
