import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

/** What can take focus inside a dialog or menu, in tab order. */
const FOCUSABLE = 'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), summary, [tabindex]:not([tabindex="-1"])';

/** The focusable elements inside `root` that are shown. */
export function focusablesIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

/**
 * A modal dialog (WAI-ARIA dialog pattern) on the native `<dialog>` and `showModal()`, so the
 * rest of the page is inert: labelled by its title, focus moved inside on open (the element
 * marked `data-autofocus`, else the first control after the title bar), Tab and Shift+Tab cycle
 * inside, Escape and Close call `onClose`, and when it goes away focus returns to the element
 * that had it when it opened (or `returnFocus()` when that element is gone, e.g. a menu item).
 */
export function Dialog({
  title,
  onClose,
  children,
  testId,
  wide,
  returnFocus,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
  returnFocus?: () => HTMLElement | null | undefined;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const fallback = useRef(returnFocus);
  fallback.current = returnFocus;
  const closing = useRef(onClose);
  closing.current = onClose;
  const mounted = useRef(false);
  useEffect(() => {
    const dialog = ref.current!;
    mounted.current = true;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? focusablesIn(dialog).find((el) => !el.closest('.dialog-head')) ?? focusablesIn(dialog)[0];
    first?.focus();
    return () => {
      mounted.current = false;
      if (dialog.open) dialog.close();
      const back = opener && opener.isConnected ? opener : fallback.current?.();
      back?.focus();
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLDialogElement>): void => {
    if (e.key !== 'Tab') return;
    const items = focusablesIn(ref.current!);
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !ref.current!.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !ref.current!.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-modal="true"
      aria-labelledby={titleId}
      data-testid={testId}
      onKeyDown={onKeyDown}
      onClose={() => {
        // Closed by the browser itself (a second Escape may close without a cancelable cancel): tell the owner.
        if (mounted.current) closing.current();
      }}
      onCancel={(e) => {
        // Escape: the owner decides (it unmounts the dialog, which closes it and returns focus).
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="btn btn-quiet" onClick={onClose} data-testid="dialog-close">
          Close
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

/**
 * A polite live region: what an action ended with, read out by screen readers without moving
 * focus (role=status). Kept mounted so a change of `message` is announced.
 */
export function LiveRegion({ message, testId = 'live-status' }: { message: string; testId?: string }): ReactNode {
  return (
    <p role="status" aria-live="polite" aria-atomic="true" className="visually-hidden" data-testid={testId}>
      {message}
    </p>
  );
}
