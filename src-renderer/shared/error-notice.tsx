import type { ReactNode } from 'react';
import type { BridgeError } from '../../src-preload/contract';
import { ERROR_TEXT } from './errors';

/** An error shown by its code: a title a user understands, the engine's message, what to do. */
export function ErrorNotice({ error, onRetry, onDismiss }: { error: BridgeError; onRetry?: () => void; onDismiss?: () => void }): ReactNode {
  const text = ERROR_TEXT[error.code];
  return (
    <div className="notice notice-error" role="alert" data-testid="error-notice" data-code={error.code}>
      <div className="notice-main">
        <div className="notice-title">
          <span className="code-badge">{error.code}</span> {text.title}
        </div>
        <div className="notice-message">{error.message}</div>
        <div className="notice-hint">{text.hint}</div>
      </div>
      <div className="notice-actions">
        {onRetry ? (
          <button type="button" className="btn" onClick={onRetry}>
            Try again
          </button>
        ) : null}
        {onDismiss ? (
          <button type="button" className="btn btn-quiet" onClick={onDismiss} aria-label="Dismiss">
            Dismiss
          </button>
        ) : null}
      </div>
    </div>
  );
}
