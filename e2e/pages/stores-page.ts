import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** The tabs of a store's detail, by label. */
export type StoreTab = 'Tables & rows' | 'Schema' | 'SQL console' | 'Integrity' | 'Move to PostgreSQL / Turso';

/** Stores: tables by class, or the empty state; a store's detail with its browser, console and check. */
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

  /** The one-line explanation of a class above its table. */
  classLine(cls: string): Locator {
    return this.root.getByTestId(`class-line-${cls}`);
  }

  /** Opens a store's detail from its row and waits for its info. */
  async openStore(store: string): Promise<void> {
    await this.row(store).getByRole('button', { name: `Open ${store}` }).click();
    await expect(this.detail()).toHaveAttribute('data-store', store);
    await expect(this.detail().getByTestId('store-info')).toBeVisible();
  }

  detail(): Locator {
    return this.root.getByTestId('store-detail');
  }

  back(): Locator {
    return this.root.getByTestId('store-back');
  }

  tab(name: StoreTab): Locator {
    return this.detail().getByRole('tab', { name });
  }

  /** The panel of the selected tab. */
  panel(): Locator {
    return this.detail().locator('[role="tabpanel"]:not([hidden])');
  }

  /** A table in the browser's list. */
  tableItem(name: string): Locator {
    return this.detail().locator(`.store-table-item[data-table="${name}"]`);
  }

  /** The row count shown beside a table ("50,000", "≥ 50,000"). */
  tableRows(name: string): Locator {
    return this.tableItem(name).getByTestId('store-table-rows');
  }

  browser(): Locator {
    return this.detail().getByTestId('store-browser');
  }

  range(): Locator {
    return this.detail().getByTestId('store-pager-range');
  }

  pagerButton(name: 'First page' | 'Previous page' | 'Next page' | 'Last page'): Locator {
    return this.detail().getByTestId('store-pager').getByRole('button', { name });
  }

  /** Jumps to the page holding a row number. */
  async goToRow(n: number): Promise<void> {
    const box = this.detail().getByRole('textbox', { name: 'Go to row' });
    await box.fill(String(n));
    await box.press('Enter');
  }

  browseGrid(): Locator {
    return this.detail().getByTestId('store-browse-grid');
  }

  /** The grid row of a 1-based row number. */
  gridRow(grid: Locator, n: number): Locator {
    return grid.locator(`[role="row"][data-row="${n}"]`);
  }

  cellInspector(): Locator {
    return this.detail().getByTestId('store-cell-inspector');
  }

  /** The console's editor: CodeMirror's contenteditable content (fill() and toHaveText() work on it). */
  sql(): Locator {
    return this.detail().getByTestId('store-sql');
  }

  /** Types a statement in the console and runs it. */
  async runSql(sql: string): Promise<void> {
    await this.sql().fill(sql);
    await expect(this.sql()).toHaveText(sql.replace(/\n/g, ''));
    await this.runButton().click();
  }

  runButton(): Locator {
    return this.detail().getByTestId('store-query-run');
  }

  /** The editor's completion list while it is open. */
  completions(): Locator {
    return this.detail().locator('.cm-tooltip-autocomplete [role="option"]');
  }

  /**
   * Takes the completion `label` from the open list with Enter, as a user does. CodeMirror ignores
   * Enter for its interactionDelay (75 ms) after a list opens, by design (so a list popping up
   * under a fast typist does not swallow a newline): that fixed guard, not app state, is waited out.
   */
  async acceptCompletion(label: string | RegExp): Promise<void> {
    await expect(this.completions().filter({ hasText: label }).first()).toBeVisible();
    await expect(this.completions().filter({ hasText: label }).first()).toHaveAttribute('aria-selected', 'true');
    await this.app.page.waitForTimeout(150);
    await this.app.page.keyboard.press('Enter');
    await expect(this.completions()).toHaveCount(0);
  }

  /** The History menu button of the console (shown once a statement has run on the store). */
  historyButton(): Locator {
    return this.detail().getByRole('button', { name: 'Statement history' });
  }

  /** The statements of the open History menu, newest first. */
  historyItems(): Locator {
    return this.detail().getByRole('menu', { name: 'Statement history' }).getByRole('menuitem');
  }

  queryGrid(): Locator {
    return this.detail().getByTestId('store-query-grid');
  }

  queryFoot(): Locator {
    return this.detail().getByTestId('store-query-foot');
  }

  /** The error shown in the current panel. */
  panelError(): Locator {
    return this.panel().getByTestId('error-notice');
  }

  checkResult(): Locator {
    return this.detail().getByTestId('store-check-result');
  }
}
