// The SQL console as a real editor, by keyboard alone: SQL highlighting, completion of the
// store's tables and of the columns of the table a statement names, Ctrl+Enter runs, Tab and
// Escape leave the editor (no keyboard trap), and the statements run come back from History
// after a reload.
import { expect, test } from './fixtures.js';
import type { AppPage } from './pages/app-page.js';
import { StoresPage } from './pages/stores-page.js';
import { seedPeople } from './support/memory.js';
import { tabTo } from './support/keyboard.js';

/** Opens MEMORY's SQL console from the store list with the keyboard and puts the focus in the editor. */
async function openConsole(app: AppPage, stores: StoresPage): Promise<void> {
  const page = app.page;
  await tabTo(page, stores.row('MEMORY').getByRole('button', { name: 'Open MEMORY' }));
  await page.keyboard.press('Enter');
  await expect(stores.detail().getByTestId('store-info')).toBeVisible();
  await tabTo(page, stores.tab('SQL console'));
  await page.keyboard.press('Enter');
  await expect(stores.tab('SQL console')).toHaveAttribute('aria-selected', 'true');
  await tabTo(page, stores.sql());
}

/** The statement the journey writes with completion and runs. */
const Q = 'SELECT name, age FROM e2e_people WHERE age > 95 ORDER BY age DESC';

/** Screenshots of both themes at the two window sizes the studio is checked at. */
async function shots(app: AppPage, name: string): Promise<void> {
  for (const [w, h] of [
    [1400, 900],
    [1024, 700],
  ] as const) {
    await app.page.setViewportSize({ width: w, height: h });
    await app.screenshotBothThemes(`${name}-${w}`);
  }
  await app.page.setViewportSize({ width: 1280, height: 860 });
}

test('the console completes tables and columns, runs with Ctrl+Enter, never traps Tab, and keeps a history', async ({ app }) => {
  test.setTimeout(90_000);
  await seedPeople(app, 200, (i) => ({ age: 18 + ((i * 37) % 80), city: ['Oslo', 'Lima'][i % 2]! }));
  const page = app.page;
  // CodeMirror adds its style sheet at run time: the app's CSP must not refuse it as a <style>
  // element (the editor would look unstyled and type spaces as NBSP). Chromium's own
  // contenteditable editing trying style attributes (style-src-attr) is refused too, harmlessly:
  // CodeMirror redraws from its state.
  const refused: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('csp-violation style-src-elem')) refused.push(m.text());
  });
  const watch = (): void => {
    // Runs in the page: the e2e tsconfig has no DOM types, so the global is described here.
    type Violation = { violatedDirective: string; sample: string };
    const w = globalThis as unknown as { addEventListener(type: string, fn: (e: Violation) => void, capture: boolean): void };
    w.addEventListener('securitypolicyviolation', (e) => console.log(`csp-violation ${e.violatedDirective} ${e.sample}`), true);
  };
  await page.addInitScript(watch);
  await page.evaluate(watch);
  const stores = await new StoresPage(app).open();
  await openConsole(app, stores);
  const editor = stores.sql();
  await expect(editor).toHaveAttribute('aria-label', 'SQL statement');
  await expect(editor).toHaveAttribute('contenteditable', 'true');
  await expect(editor).toBeFocused();
  await expect(stores.detail().locator('.store-sql-editor')).toHaveAttribute('data-dialect', 'sqlite');
  // Styled (CodeMirror's own sheet applied): spaces stay spaces, lines wrap.
  await expect(editor).toHaveCSS('white-space', /^(pre-wrap|break-spaces)$/);
  // The opening statement is highlighted as SQL: its keywords carry the highlighter's class.
  await expect(editor).toHaveText(/^SELECT \* FROM ".+" LIMIT 100$/);
  await expect(editor.locator('.tok-keyword').first()).toHaveText('SELECT');
  await expect(editor.locator('.tok-keyword')).toHaveText(['SELECT', 'FROM', 'LIMIT']);

  // A table name completes from its first letters; Enter takes it.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  // Typed only once the editor has drawn itself empty (its placeholder shows): a key pressed while
  // it redraws can be lost (a CI run under load got "ELECT …").
  await expect(editor.locator('.cm-placeholder')).toBeVisible();
  await page.keyboard.type('SELECT name, age FROM e2e_pe');
  await expect(stores.completions().filter({ hasText: 'e2e_people' })).toBeVisible();
  await shots(app, 'stores-console-completion');
  await stores.acceptCompletion('e2e_people');
  await expect(editor).toHaveText('SELECT name, age FROM e2e_people');
  // A column of the table the statement names completes bare, without `e2e_people.`.
  await page.keyboard.type(' WHERE ag');
  await stores.acceptCompletion(/^age/);
  await page.keyboard.type(' > 95 ORDER BY age DESC');
  await page.keyboard.press('Escape');
  await expect(stores.completions()).toHaveCount(0);
  await expect(editor).toHaveText(Q);
  await expect(editor.locator('.tok-number')).toHaveText('95');

  // Ctrl+Enter runs where the focus is: the rows come, the focus stays in the editor.
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(stores.queryFoot()).toContainText('4 rows');
  await expect(stores.gridRow(stores.queryGrid(), 1)).toContainText('97');
  await expect(editor).toBeFocused();

  // Escape closes an open completion list and Tab then leaves the editor: no keyboard trap.
  await page.keyboard.type(' LIMIT 2');
  await page.keyboard.press('Control+Space');
  await expect(stores.completions().first()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(stores.completions()).toHaveCount(0);
  await expect(editor).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(editor).not.toBeFocused();
  await expect(stores.runButton()).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(editor).toBeFocused();
  // A refused statement counts as run too.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('DELETE FROM e2e_people');
  await page.keyboard.press('Escape');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(stores.panelError()).toContainText('only read-only queries can run here');
  await expect(stores.historyButton()).toHaveText('History (2)');

  // After a reload, History holds both statements that ran (not the one only written), newest
  // first, and puts one back in the editor; running it again moves it to the top.
  await app.reload();
  await stores.open();
  await openConsole(app, stores);
  await tabTo(page, stores.historyButton());
  await page.keyboard.press('Enter');
  await expect(stores.historyItems()).toHaveText(['DELETE FROM e2e_people', Q]);
  await shots(app, 'stores-console-history');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(stores.historyItems()).toHaveCount(0);
  await expect(editor).toBeFocused();
  await expect(editor).toHaveText(Q);
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(stores.queryFoot()).toContainText('4 rows');
  await expect(stores.historyItems()).toHaveCount(0);
  await expect(stores.historyButton()).toHaveText('History (2)');

  // Alt+Up / Alt+Down step through the history from what is being written, and back to it.
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('SELECT 1');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Alt+ArrowUp');
  await expect(editor).toHaveText(Q);
  await page.keyboard.press('Alt+ArrowUp');
  await expect(editor).toHaveText('DELETE FROM e2e_people');
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(editor).toHaveText('SELECT 1');
  await shots(app, 'stores-console-editor');
  expect(refused).toEqual([]);
});
