// The table browser as a Beekeeper Studio user expects it, by keyboard alone: the store opens on
// its main table, a header sorts (up, down, off), a WHERE box filters, a bad filter says what is
// wrong and keeps the rows, Escape clears it.
import { expect, test } from './fixtures.js';
import { StoresPage } from './pages/stores-page.js';
import { seedPeople } from './support/memory.js';
import { tabTo } from './support/keyboard.js';

const PEOPLE = 2000;
const CITIES = ['Oslo', 'Lima', 'Pune', 'Kyiv'];

/** Ages 18..97 in a scrambled order, every 50th unknown; the cities in turn. */
const person = (i: number): { age: number | null; city: string } => ({ age: i % 50 === 7 ? null : 18 + ((i * 37) % 80), city: CITIES[i % CITIES.length]! });

test('sort by a header and filter with WHERE, by keyboard alone; a bad filter is named and loses nothing', async ({ app }) => {
  await seedPeople(app, PEOPLE, person);
  const stores = await new StoresPage(app).open();
  const page = app.page;
  await tabTo(page, stores.row('MEMORY').getByRole('button', { name: 'Open MEMORY' }));
  await page.keyboard.press('Enter');
  // The main table (the most rows, not schema_migrations) is the one shown.
  await expect(stores.browser()).toHaveAttribute('data-table', 'e2e_people');
  await expect(stores.range()).toHaveText('rows 1–100 of 2,000');
  const grid = stores.browseGrid();
  const age = grid.locator('[role="columnheader"][data-column="age"]');
  const firstAge = grid.locator('[role="row"][data-row="1"] [role="gridcell"]').nth(2);

  // Up: the 40 unknown ages first (NULLs lead going up).
  await tabTo(page, age.getByRole('button'));
  await page.keyboard.press('Enter');
  await expect(age).toHaveAttribute('aria-sort', 'ascending');
  await expect(firstAge).toHaveText('NULL');
  await expect(grid.locator('[role="row"][data-row="10"] [role="gridcell"]').nth(2)).toHaveText('NULL');
  // Down: the oldest first; the focus stays on the header.
  await page.keyboard.press('Enter');
  await expect(age).toHaveAttribute('aria-sort', 'descending');
  await expect(firstAge).toHaveText('97');
  await expect(age.getByRole('button')).toBeFocused();
  await expect(stores.browser()).toContainText('sorted by age descending');

  // A filter keeps the sort; the count is of the matching rows.
  const where = stores.detail().getByRole('textbox', { name: 'Filter rows: WHERE' });
  await tabTo(page, where, { back: true });
  await page.keyboard.type("city = 'Oslo' AND age > 90");
  await page.keyboard.press('Enter');
  await expect(stores.range()).toHaveText(/^rows 1–\d+ matching$/);
  // The same question answered from the seed: Oslo is every 4th person.
  const ages = Array.from({ length: PEOPLE }, (_, i) => i)
    .filter((i) => i % 4 === 0 && i % 50 !== 7 && 18 + ((i * 37) % 80) > 90)
    .map((i) => 18 + ((i * 37) % 80))
    .sort((a, b) => b - a);
  expect(ages.length).toBeGreaterThan(5);
  await expect(grid).toHaveAttribute('data-rows', String(ages.length));
  const shown = ages.length;
  await expect(firstAge).toHaveText(String(ages[0]));
  await expect(grid.locator(`[role="row"][data-row="${shown}"] [role="gridcell"]`).nth(2)).toHaveText(String(ages[shown - 1]));
  for (let r = 1; r <= Math.min(shown, 5); r++) await expect(grid.locator(`[role="row"][data-row="${r}"]`)).toContainText('Oslo');
  await expect(stores.detail().getByTestId('store-browse-sql')).toContainText("WHERE ( city = 'Oslo' AND age > 90 ) ORDER BY \"age\" DESC NULLS LAST, rowid LIMIT 100 OFFSET 0");
  await app.screenshotBothThemes('stores-sort-filter');
  await page.setViewportSize({ width: 1024, height: 700 });
  await app.screenshotBothThemes('stores-sort-filter-1024');
  await page.setViewportSize({ width: 1400, height: 900 });

  // A filter that names no column: the error says so, the matching rows stay on screen.
  await where.press('Control+a');
  await page.keyboard.type('nope_col = 1');
  await page.keyboard.press('Enter');
  await expect(stores.panel().getByTestId('error-notice')).toContainText('nope_col');
  await expect(grid).toHaveAttribute('data-rows', String(shown));

  // Escape clears the filter (the sort stays): every row again.
  await page.keyboard.press('Escape');
  await expect(where).toHaveValue('');
  await expect(stores.range()).toHaveText('rows 1–100 of 2,000');
  await expect(firstAge).toHaveText('97');
  // Off: the third press on the header gives the table its own order back.
  await tabTo(page, age.getByRole('button'));
  await page.keyboard.press('Enter');
  await expect(age).toHaveAttribute('aria-sort', 'none');
  await expect(grid.locator('[role="row"][data-row="1"]')).toContainText('person 0');
});

test('resize and hide columns by keyboard; the table keeps its layout after a reload', async ({ app }) => {
  await seedPeople(app, PEOPLE, person);
  const page = app.page;
  let stores = await new StoresPage(app).open();
  await stores.openStore('MEMORY');
  await expect(stores.browser()).toHaveAttribute('data-table', 'e2e_people');
  const grid = stores.browseGrid();
  const header = (c: string) => grid.locator(`[role="columnheader"][data-column="${c}"]`);
  const widthOf = async (c: string): Promise<number> => (await header(c).boundingBox())!.width;
  const before = await widthOf('name');

  // Three steps right on the name column's handle: 48 px wider, and said so to a screen reader.
  const handle = header('name').getByRole('separator', { name: 'Width of name' });
  await tabTo(page, handle);
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(handle).toHaveAttribute('aria-valuenow', String(Math.round(before) + 48));
  expect(Math.round(await widthOf('name'))).toBe(Math.round(before) + 48);

  // Hide city from the Columns menu (its last item).
  const menu = stores.detail().getByRole('button', { name: 'Columns: hide or show' });
  await tabTo(page, menu, { back: true });
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await expect(page.getByRole('menuitem', { name: 'Hide city' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(header('city')).toHaveCount(0);
  await expect(stores.detail().getByTestId('store-hidden-columns')).toHaveText('1 hidden');
  // The rows lose the cells too, not only the header.
  await expect(grid.locator('[role="row"][data-row="1"] [role="gridcell"]')).toHaveCount(3);
  await app.screenshotBothThemes('stores-columns');

  // After a reload the table opens as it was left.
  await app.reload();
  stores = await new StoresPage(app).open();
  await stores.openStore('MEMORY');
  await expect(header('age')).toBeVisible();
  await expect(header('city')).toHaveCount(0);
  expect(Math.round(await widthOf('name'))).toBe(Math.round(before) + 48);

  // Delete on the handle gives the automatic width back; the menu shows city again.
  await tabTo(page, header('name').getByRole('separator'));
  await page.keyboard.press('Delete');
  expect(Math.round(await widthOf('name'))).toBe(Math.round(before));
  await tabTo(page, menu, { back: true });
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await expect(page.getByRole('menuitem', { name: 'Show all columns' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(header('city')).toBeVisible();
  await expect(stores.detail().getByTestId('store-hidden-columns')).toHaveCount(0);
});
