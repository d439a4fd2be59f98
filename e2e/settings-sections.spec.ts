// Settings in sections with their own navigation, by keyboard alone: the connection forms come
// first, a section's button scrolls to it and puts the focus there, the one in view is marked.
import { expect, test } from './fixtures.js';
import { SettingsPage } from './pages/settings-page.js';
import { tabTo } from './support/keyboard.js';

test('sections: connections first; the navigation scrolls to a section, focuses it and marks it, by keyboard', async ({ app }) => {
  const settings = await new SettingsPage(app).open();
  const page = app.page;
  const nav = settings.root.getByTestId('settings-nav');
  const section = (s: string) => settings.root.locator(`section.settings-section[data-section="${s}"]`);
  // The order on the page: connections, store drivers, CAS, paths.
  const tops: number[] = [];
  for (const s of ['connections', 'drivers', 'cas', 'paths']) tops.push((await section(s).boundingBox())!.y);
  expect([...tops].sort((a, b) => a - b)).toEqual(tops);
  await expect(section('connections').getByTestId('s3-form')).toBeVisible();
  await expect(nav.getByRole('button', { name: 'Connections' })).toHaveAttribute('aria-current', 'true');

  // Paths, the last section: scrolled to under the bar, with the focus, and marked.
  await tabTo(page, nav.getByRole('button', { name: 'Paths' }));
  await page.keyboard.press('Enter');
  await expect(section('paths')).toBeFocused();
  await expect(nav.getByRole('button', { name: 'Paths' })).toHaveAttribute('aria-current', 'true');
  await expect(nav.getByRole('button', { name: 'Connections' })).not.toHaveAttribute('aria-current', 'true');
  const bar = (await nav.boundingBox())!;
  const paths = (await section('paths').boundingBox())!;
  expect(paths.y).toBeGreaterThanOrEqual(bar.y + bar.height - 1);
  expect(paths.y).toBeLessThan(bar.y + bar.height + 200);
  // The bar stays in view; Tab goes on inside the section.
  await expect(nav).toBeInViewport();
  await page.keyboard.press('Tab');
  expect(await section('paths').evaluate((el) => el.contains(el.ownerDocument.activeElement))).toBe(true);
  await app.screenshotBothThemes('settings-sections-paths');

  // Back to the store drivers, with Shift+Tab to the bar.
  await tabTo(page, nav.getByRole('button', { name: 'Store drivers' }), { back: true });
  await page.keyboard.press('Enter');
  await expect(section('drivers')).toBeFocused();
  await expect(nav.getByRole('button', { name: 'Store drivers' })).toHaveAttribute('aria-current', 'true');
  // A smaller window keeps the mark on the section in view.
  await page.setViewportSize({ width: 1024, height: 700 });
  await section('drivers').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await expect(nav.getByRole('button', { name: 'Store drivers' })).toHaveAttribute('aria-current', 'true');
  await app.screenshotBothThemes('settings-sections-1024');
  // Scrolled back to the top: Connections again.
  await section('connections').evaluate((el) => el.closest('.main')?.scrollTo({ top: 0 }));
  await expect(nav.getByRole('button', { name: 'Connections' })).toHaveAttribute('aria-current', 'true');
});
