// Export from the Stores view (issue #16), browser mode, by keyboard alone: the table browser's
// Export writes every row its sort and WHERE show (all pages, not the 100 on screen), the
// console's Export the statement's whole result (not only the rows under its cap); CSV and JSON
// arrive as downloads whose content is checked here.
import type { Download } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { StoresPage } from './pages/stores-page.js';
import { seedPeople } from './support/memory.js';
import { tabTo } from './support/keyboard.js';

const PEOPLE = 1500;
const CITIES = ['Oslo', 'Lima, PE', 'Pune', 'Kyiv'];
const person = (i: number): { age: number | null; city: string } => ({ age: i % 50 === 7 ? null : 18 + ((i * 37) % 80), city: CITIES[i % CITIES.length]! });

async function text(d: Download): Promise<string> {
  const chunks = (await (await d.createReadStream()).toArray()) as Buffer[];
  return Buffer.concat(chunks).toString('utf8');
}

test('export a filtered table and a query result as CSV and JSON, by keyboard alone', async ({ app }) => {
  await seedPeople(app, PEOPLE, person);
  const stores = await new StoresPage(app).open();
  const page = app.page;
  await tabTo(page, stores.row('MEMORY').getByRole('button', { name: 'Open MEMORY' }));
  await page.keyboard.press('Enter');
  await expect(stores.browser()).toHaveAttribute('data-table', 'e2e_people');

  // Filter to a city with a comma in its name, sorted by age descending (two presses on the header).
  const where = stores.detail().getByRole('textbox', { name: 'Filter rows: WHERE', exact: true });
  await tabTo(page, where);
  await page.keyboard.type("city = 'Lima, PE' AND age IS NOT NULL");
  await page.keyboard.press('Enter');
  await expect(stores.range()).toHaveText(/^rows 1–100 matching$/);
  const age = stores.browseGrid().locator('[role="columnheader"][data-column="age"]');
  await tabTo(page, age.getByRole('button'));
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(age).toHaveAttribute('aria-sort', 'descending');

  const expected = Array.from({ length: PEOPLE }, (_, i) => i)
    .filter((i) => i % 4 === 1 && person(i).age !== null)
    .map((i) => ({ id: i + 1, name: `person ${i}`, age: person(i).age as number, city: 'Lima, PE' }))
    .sort((a, b) => b.age - a.age || a.id - b.id);
  expect(expected.length).toBeGreaterThan(300);

  // CSV of the table: every matching row, in the sort shown, the comma quoted.
  const format = stores.detail().getByLabel('Export rows: format', { exact: true });
  // Back from the header: the Export control is in the toolbar above the grid.
  await tabTo(page, format, { back: true });
  await expect(format).toHaveValue('csv');
  await page.keyboard.press('Tab');
  await expect(stores.detail().getByRole('button', { name: 'Export rows', exact: true })).toBeFocused();
  let downloading = page.waitForEvent('download');
  await page.keyboard.press('Enter');
  let download = await downloading;
  expect(download.suggestedFilename()).toBe('memory-e2e_people.csv');
  const csv = (await text(download)).split('\r\n');
  expect(csv[0]).toBe('id,name,age,city');
  expect(csv.slice(1, -1)).toEqual(expected.map((p) => `${p.id},${p.name},${p.age},"Lima, PE"`));
  expect(csv.at(-1)).toBe('');
  await expect(stores.detail().getByTestId('store-export-status-table')).toContainText('Download of memory-e2e_people.csv started');
  await app.screenshotBothThemes('stores-export');
  await page.setViewportSize({ width: 1024, height: 700 });
  await app.screenshotBothThemes('stores-export-1024');
  await page.setViewportSize({ width: 1400, height: 900 });

  // JSON of the same: the format picked with the arrow keys.
  await format.focus();
  await page.keyboard.press('ArrowDown');
  await expect(format).toHaveValue('json');
  await page.keyboard.press('Tab');
  downloading = page.waitForEvent('download');
  await page.keyboard.press('Enter');
  download = await downloading;
  expect(download.suggestedFilename()).toBe('memory-e2e_people.json');
  expect(JSON.parse(await text(download))).toEqual(expected);

  // The console: the result is capped at 500 rows on screen; Export reads the whole of it.
  await tabTo(page, stores.tab('SQL console'), { back: true });
  await page.keyboard.press('Enter');
  await expect(stores.tab('SQL console')).toHaveAttribute('aria-selected', 'true');
  await tabTo(page, stores.sql());
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type('SELECT id, name, age AS name FROM e2e_people ORDER BY id');
  await page.keyboard.press('Control+Enter');
  await expect(stores.detail().getByTestId('store-query-foot')).toContainText('stopped at the row cap of 500');
  const qFormat = stores.detail().getByLabel('Export result: format', { exact: true });
  // Escape leaves the editor (Tab indents in it); the Export control is in the bar below it.
  await page.keyboard.press('Escape');
  await tabTo(page, qFormat);
  await page.keyboard.press('ArrowDown');
  await expect(qFormat).toHaveValue('json');
  await page.keyboard.press('Tab');
  await expect(stores.detail().getByRole('button', { name: 'Export result', exact: true })).toBeFocused();
  downloading = page.waitForEvent('download');
  await page.keyboard.press('Enter');
  download = await downloading;
  expect(download.suggestedFilename()).toBe('memory-query.json');
  const rows = JSON.parse(await text(download)) as { id: number; name: string; name_2: number | null }[];
  expect(rows).toHaveLength(PEOPLE);
  expect(rows[7]).toEqual({ id: 8, name: 'person 7', name_2: null });
  expect(rows[PEOPLE - 1]).toEqual({ id: PEOPLE, name: `person ${PEOPLE - 1}`, name_2: person(PEOPLE - 1).age });

  // And as CSV: NULL is an empty field.
  await qFormat.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Tab');
  downloading = page.waitForEvent('download');
  await page.keyboard.press('Enter');
  download = await downloading;
  expect(download.suggestedFilename()).toBe('memory-query.csv');
  const qcsv = (await text(download)).split('\r\n');
  expect(qcsv).toHaveLength(PEOPLE + 2);
  expect(qcsv[0]).toBe('id,name,name_2');
  expect(qcsv[8]).toBe('8,person 7,');
  await expect(stores.detail().getByTestId('store-export-status-query')).toContainText('Download of memory-query.csv started');
  await app.screenshotBothThemes('stores-export-console');
});
