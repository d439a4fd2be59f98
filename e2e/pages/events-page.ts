import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** An RFC 3339 time as a datetime-local value: local time, to the second. */
export function localInput(rfc3339: string): string {
  const d = new Date(rfc3339);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The Events view: filters, histogram, table, facets, detail drawer with the trace, live tail, syncer, other files. */
export class EventsPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('events');
  }

  /** Opens the view and waits for its first page of rows. */
  async open(): Promise<this> {
    await this.app.open('events');
    return this;
  }

  /** Waits until the table shows rows (or says none match) and the count is known. */
  async settled(): Promise<void> {
    await expect(this.root.getByTestId('events-list').or(this.root.getByTestId('events-none'))).toBeVisible({ timeout: 20_000 });
    await expect(this.count()).not.toHaveAttribute('data-count', '', { timeout: 20_000 });
  }

  count(): Locator {
    return this.root.getByTestId('events-count');
  }

  rows(): Locator {
    return this.root.getByTestId('events-row');
  }

  pendingRows(): Locator {
    return this.root.getByTestId('events-pending-row');
  }

  filters(): Locator {
    return this.root.getByTestId('events-filters');
  }

  cli(): Locator {
    return this.root.getByTestId('events-cli');
  }

  facet(field: string): Locator {
    return this.root.getByTestId(`events-facet-${field}`);
  }

  detail(): Locator {
    return this.app.page.getByTestId('events-detail');
  }

  trace(): Locator {
    return this.app.page.getByTestId('events-trace');
  }

  error(): Locator {
    return this.root.getByTestId('error-notice');
  }

  /** A time preset button by its label (15 min, 1 hour, 24 hours, 7 days, All time, Custom). */
  preset(label: string): Locator {
    return this.filters().getByRole('group', { name: 'Time range' }).getByRole('button', { name: label, exact: true });
  }

  /** Sets a custom range (RFC 3339 times, entered as the local date-times the inputs take) and applies it. */
  async customRange(since: string, until: string): Promise<void> {
    await this.preset('Custom').click();
    await this.filters().getByLabel('From', { exact: true }).fill(localInput(since));
    await this.filters().getByLabel('To', { exact: true }).fill(localInput(until));
    await this.filters().getByRole('button', { name: 'Apply' }).click();
  }

  async status(value: 'ok' | 'error' | 'canceled' | ''): Promise<void> {
    await this.filters().getByLabel('Status', { exact: true }).selectOption(value);
  }

  /** Opens another events.db by path. */
  async openFile(file: string): Promise<void> {
    const card = this.root.locator('.events-source');
    await card.getByLabel('Path of an events.db', { exact: true }).fill(file);
    await card.getByRole('button', { name: 'Open read-only' }).click();
  }
}
