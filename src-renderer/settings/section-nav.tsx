import { useEffect, useRef, useState, type ReactNode } from 'react';

/** The sections of Settings, in the order shown: the connection forms first, for someone who came to enter keys. */
export const SETTINGS_SECTIONS = [
  ['connections', 'Connections'],
  ['drivers', 'Store drivers'],
  ['cas', 'CAS'],
  ['paths', 'Paths'],
] as const;

export type SettingsSection = (typeof SETTINGS_SECTIONS)[number][0];

/** The element id of a section. */
export function sectionId(s: SettingsSection): string {
  return `settings-section-${s}`;
}

/**
 * The sections' own navigation: a bar that stays at the top while the page scrolls; a section
 * scrolls into view and takes the focus (so Tab goes on inside it); the one in view is marked.
 */
export function SettingsSectionNav(): ReactNode {
  const [current, setCurrent] = useState<SettingsSection>('connections');
  const bar = useRef<HTMLElement>(null);
  /** The section last picked: kept marked at the page's end, where it cannot scroll up to the bar. */
  const picked = useRef<SettingsSection | null>(null);
  useEffect(() => {
    const scroller = bar.current?.closest('.main') ?? null;
    const update = (): void => {
      // The section in view is the last one whose top has passed the bar's lower edge.
      const line = (bar.current?.getBoundingClientRect().bottom ?? 0) + 16;
      let at: SettingsSection = SETTINGS_SECTIONS[0][0];
      for (const [s] of SETTINGS_SECTIONS) {
        const top = document.getElementById(sectionId(s))?.getBoundingClientRect().top;
        if (top !== undefined && top <= line) at = s;
      }
      const end = scroller !== null && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
      const p = picked.current;
      const pickedTop = p ? document.getElementById(sectionId(p))?.getBoundingClientRect().top : undefined;
      if (end && p && pickedTop !== undefined && pickedTop < window.innerHeight) at = p;
      else picked.current = null;
      setCurrent(at);
    };
    update();
    scroller?.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      scroller?.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, []);
  return (
    <nav className="settings-nav" aria-label="Settings sections" data-testid="settings-nav" ref={bar}>
      {SETTINGS_SECTIONS.map(([s, label]) => (
        <button
          key={s}
          type="button"
          className={`settings-nav-item${current === s ? ' settings-nav-item-current' : ''}`}
          aria-current={current === s ? 'true' : undefined}
          data-section={s}
          onClick={() => {
            const el = document.getElementById(sectionId(s));
            if (!el) return;
            picked.current = s;
            el.scrollIntoView({ block: 'start' });
            el.focus({ preventScroll: true });
            setCurrent(s);
          }}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}

/** A section of Settings: a landmark the navigation scrolls to and focuses. */
export function SettingsSectionBlock({ section, children }: { section: SettingsSection; children: ReactNode }): ReactNode {
  const label = SETTINGS_SECTIONS.find(([s]) => s === section)?.[1] ?? section;
  return (
    <section id={sectionId(section)} className="settings-section" aria-label={label} tabIndex={-1} data-section={section}>
      {children}
    </section>
  );
}
