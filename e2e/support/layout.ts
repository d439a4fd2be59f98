// Layout measures a user would see as faults on a small window: a page that scrolls sideways, a
// button whose label wraps onto many lines. They run in the page; the e2e tsconfig has no DOM
// types, so the few DOM members used are described structurally.
import type { Locator, Page } from '@playwright/test';

interface ScrollBox {
  scrollWidth: number;
  clientWidth: number;
}

interface ButtonLike {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number };
  ownerDocument: { defaultView: { getComputedStyle(el: unknown): Record<string, string> } };
}

/** By how many pixels the document and the main area scroll sideways (0 when they fit). */
export async function sidewaysScroll(page: Page): Promise<{ page: number; main: number }> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { scrollingElement: ScrollBox; querySelector(s: string): ScrollBox | null } }).document;
    const main = doc.querySelector('main');
    return {
      page: doc.scrollingElement.scrollWidth - doc.scrollingElement.clientWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
    };
  });
}

/** A button and how many lines of text its label takes. */
export interface ButtonLines {
  label: string;
  lines: number;
}

/**
 * The visible buttons under `root` whose label takes more than `max` lines: the height inside
 * padding and border, divided by the line height (1.2 em where it is `normal`).
 */
export async function buttonsTallerThan(root: Locator, max: number): Promise<ButtonLines[]> {
  const all = await root.locator('button:visible').evaluateAll((els) =>
    els.map((el) => {
      const b = el as unknown as ButtonLike;
      const cs = b.ownerDocument.defaultView.getComputedStyle(b);
      const px = (k: string): number => parseFloat(cs[k] ?? '') || 0;
      const line = px('lineHeight') || px('fontSize') * 1.2;
      const inner = b.getBoundingClientRect().height - px('paddingTop') - px('paddingBottom') - px('borderTopWidth') - px('borderBottomWidth');
      const text = (b.textContent ?? '').trim();
      const label = (b.getAttribute('aria-label') ?? text).slice(0, 60);
      // An icon taller than the text adds less than a line: round down what is left of a line.
      // An icon-only button has no text to wrap: its height is the icon's.
      return { label, lines: text ? Math.max(1, Math.floor(inner / line + 0.25)) : 1 };
    }),
  );
  return all.filter((b) => b.lines > max);
}
