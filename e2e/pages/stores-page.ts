import type { Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** Stores: tables by class, or the empty state. */
export class StoresPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('stores');
  }

  async open(): Promise<this> {
    await this.app.open('stores');
    return this;
  }

  row(store: string): Locator {
    return this.root.locator(`tr[data-store="${store}"]`);
  }

  empty(): Locator {
    return this.root.getByTestId('stores-empty');
  }

  showAll(): Locator {
    return this.root.getByRole('button', { name: /Show all \d+ registered stores/ });
  }
}
