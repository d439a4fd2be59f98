import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { CasPage } from './pages/cas-page.js';

test.describe('CAS view', () => {
  test('drop three files (one a duplicate), pin, gc dry run keeps the pin, verify flags a corrupt object', async ({ app }) => {
    // A render crash blanks the page: fail with its message rather than a missing element.
    const crashes: string[] = [];
    app.page.on('pageerror', (e) => crashes.push(e.message));
    const cas = await new CasPage(app).open();
    await expect(cas.root.getByTestId('cas-empty')).toBeVisible();

    // Real drop events with a DataTransfer of files; notes-copy.txt has the same bytes as notes.txt.
    await cas.drop([
      { name: 'notes.txt', content: 'remember the milk\n' },
      { name: 'config.json', content: '{"theme":"dark","retries":3}', type: 'application/json' },
      { name: 'notes-copy.txt', content: 'remember the milk\n' },
    ]);
    await expect(cas.uploads()).toHaveCount(3);
    await expect(cas.uploads('uploading')).toHaveCount(0, { timeout: 20_000 });
    await expect(cas.uploads('stored')).toHaveCount(2);
    await expect(cas.uploads('existed')).toHaveCount(1);
    const dup = cas.uploads('existed');
    await expect(dup).toContainText('Already stored');
    await expect(dup).toContainText('sha256:');
    await expect(cas.root.getByTestId('cas-upload-total')).toContainText('2 new · 1 already stored');
    await expect(cas.rows()).toHaveCount(2);
    await expect(cas.root.getByTestId('cas-stat-objects')).toHaveText('2');
    await app.screenshotBothThemes('cas-uploads');

    // Open the JSON object: pretty-printed preview, then pin it.
    const json = cas.rows().filter({ hasText: 'application/json' });
    const jsonDigest = (await json.getAttribute('data-digest'))!;
    await json.click();
    await expect(cas.detail()).toHaveAttribute('data-digest', jsonDigest);
    await expect(cas.detail().getByTestId('cas-preview')).toHaveAttribute('data-mode', 'json');
    await expect(cas.detail().getByTestId('cas-preview')).toContainText('"retries": 3');
    await cas.detail().getByRole('button', { name: 'Pin' }).click();
    await expect(cas.row(jsonDigest)).toContainText('pinned');
    // Delete is refused while pinned, with the reason.
    await cas.detail().getByRole('button', { name: 'Delete' }).click();
    await expect(cas.detail()).toContainText('is pinned: unpin it first');
    await expect(cas.row(jsonDigest)).toBeVisible();
    await app.screenshotBothThemes('cas-detail');

    // gc dry run of any age: the text object would go, the pinned one is kept.
    const textDigest = (await cas.rows().filter({ hasText: 'text/plain' }).getAttribute('data-digest'))!;
    await cas.gc().getByLabel('Older than').selectOption('0s');
    await cas.gc().getByRole('button', { name: 'Dry run' }).click();
    const dry = cas.gc().getByTestId('cas-gc-dry-run');
    await expect(dry).toContainText('Would delete 1 object');
    await expect(dry.locator(`[data-testid="cas-gc-candidate"][data-digest="${textDigest}"]`)).toBeVisible();
    await expect(dry.locator(`[data-testid="cas-gc-kept"][data-digest="${jsonDigest}"]`)).toContainText('kept: pinned');
    await cas.gc().scrollIntoViewIfNeeded();
    await app.screenshotBothThemes('cas-gc');
    // A dry run deletes nothing.
    expect(await app.call('cas.stats', {})).toMatchObject({ ok: true, value: { objects: 2, pinned: 1 } });

    // Corrupt the text object on disk (same length), then verify all flags it.
    fs.writeFileSync(path.join(app.home, 'cas', 'sha256', textDigest.slice(7)), 'remember the mi1k\n');
    await cas.verify().getByRole('button', { name: 'Verify all' }).click();
    const bad = cas.verify().getByTestId('cas-verify-corrupt');
    await expect(bad).toContainText('1 of 2 objects are corrupt', { timeout: 20_000 });
    await expect(bad).toContainText(textDigest);
    await expect(cas.row(textDigest)).toHaveClass(/cas-row-corrupt/);
    // Its preview is refused: the bytes do not match the digest.
    await bad.getByRole('button', { name: textDigest }).click();
    await expect(cas.detail()).toHaveAttribute('data-digest', textDigest);
    await expect(cas.detail()).toContainText('CORRUPT');
    await cas.verify().scrollIntoViewIfNeeded();
    await app.screenshotBothThemes('cas-verify');
    expect(crashes).toEqual([]);
  });
});
