import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { ARTIFACTS } from '../support/env.js';

/** The views of the navigation, as their nav labels. */
export const VIEW_LABELS = { overview: 'Overview', stores: 'Stores', cas: 'CAS', events: 'Events', backups: 'Backups', jobs: 'Jobs', settings: 'Settings' } as const;

/** A view id. */
export type ViewId = keyof typeof VIEW_LABELS;

/** A contract call's result as the page sees it. */
export interface BridgeResult {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** The app as a user sees it: navigation, the current view, screenshots, the bridge. */
export class AppPage {
  constructor(
    readonly page: Page,
    readonly mode: 'browser' | 'electron',
    readonly home: string,
  ) {}

  /** The navigation button of a view. */
  navButton(view: ViewId): Locator {
    return this.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: VIEW_LABELS[view], exact: false });
  }

  /** The sidebar (folded to an icon rail when `data-folded` is true). */
  sidebar(): Locator {
    return this.page.locator('aside#sidebar');
  }

  /** The button that folds and unfolds the sidebar (aria-expanded: unfolded). */
  sidebarToggle(): Locator {
    return this.page.getByRole('button', { name: 'Sidebar', exact: true });
  }

  /** Reloads the page (the address bar keeps the view) and waits until it is connected again. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitReady();
  }

  /** The section of a view. */
  view(view: ViewId): Locator {
    return this.page.locator(`section.page[data-view="${view}"]`);
  }

  /** Waits until the shell is up and connected to the engine. */
  async waitReady(): Promise<void> {
    await expect(this.page.getByTestId('connection')).toHaveAttribute('data-state', 'connected');
    // The Overview on a fresh start; after a reload, the view the address bar names.
    await expect(this.page.locator('section.page').first()).toBeVisible();
  }

  /** Opens a view from the navigation and waits for it to finish loading. */
  async open(view: ViewId): Promise<Locator> {
    await this.navButton(view).click();
    const section = this.view(view);
    await expect(section).toBeVisible();
    await expect(this.navButton(view)).toHaveAttribute('aria-current', 'page');
    await expect(section.getByTestId('loading')).toHaveCount(0);
    return section;
  }

  /** Saves a full-page screenshot in both themes: e2e/artifacts/<name>-light.png and -dark.png. */
  async screenshotBothThemes(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await this.page.emulateMedia({ colorScheme: scheme });
      await this.page.screenshot({ path: path.join(ARTIFACTS, `${this.mode}-${name}-${scheme}.png`), animations: 'disabled' });
    }
    await this.page.emulateMedia({ colorScheme: 'light' });
  }

  /** Calls the bridge from inside the page, the way the renderer does (preload or HTTP). */
  async call(name: string, input: unknown): Promise<BridgeResult> {
    return this.page.evaluate(
      async ({ name, input }) => {
        // Runs in the page: the e2e tsconfig has no DOM types, so the globals are described here.
        const w = globalThis as unknown as {
          foxctl?: { calls: Record<string, (i: unknown, id: string) => Promise<unknown>> };
          sessionStorage: { getItem(key: string): string | null };
        };
        if (w.foxctl) {
          const fn = w.foxctl.calls[name];
          if (!fn) return { ok: false, error: { code: 'NO_SUCH_CALL', message: `window.foxctl has no ${name}` } };
          return fn(input, `e2e-${Date.now()}`);
        }
        const res = await fetch(`/api/call/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-foxctl-token': w.sessionStorage.getItem('foxctl-studio-token') ?? '' },
          body: JSON.stringify(input),
        });
        return res.json();
      },
      { name, input },
    ) as Promise<BridgeResult>;
  }
}
