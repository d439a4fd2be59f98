import type { Locator } from '@playwright/test';
import type { AppPage, ViewId } from './app-page.js';

/** A view whose content is a table or an empty state: Settings, CAS, Events, Backups. */
export class SimplePage {
  readonly root: Locator;
  constructor(
    readonly app: AppPage,
    readonly id: ViewId,
  ) {
    this.root = app.view(id);
  }

  async open(): Promise<this> {
    await this.app.open(this.id);
    return this;
  }

  empty(): Locator {
    return this.root.getByTestId(`${this.id}-empty`);
  }

  testId(id: string): Locator {
    return this.root.getByTestId(id);
  }
}
