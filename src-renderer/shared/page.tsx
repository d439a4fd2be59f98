import { useEffect, useRef, type ReactNode } from 'react';

/** A view's frame: its title (focused on arrival, for keyboard and screen-reader users), a line, actions. */
export function Page({ id, title, subtitle, actions, children }: { id: string; title: string; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode }): ReactNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), [id]);
  return (
    <section className="page" data-view={id} aria-labelledby={`${id}-title`}>
      <header className="page-header">
        <div>
          <h1 id={`${id}-title`} ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** A titled panel of a view. */
export function Card({ title, aside, children, className, testId }: { title?: ReactNode; aside?: ReactNode; children: ReactNode; className?: string; testId?: string }): ReactNode {
  return (
    <section className={`card${className ? ` ${className}` : ''}`} data-testid={testId}>
      {title || aside ? (
        <header className="card-header">
          {title ? <h2>{title}</h2> : <span />}
          {aside}
        </header>
      ) : null}
      {children}
    </section>
  );
}
