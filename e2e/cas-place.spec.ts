import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { writeGoSqliteCas } from '../src-main/test/go-home/cas-place.js';
import { expect, test } from './fixtures.js';
import { ARTIFACTS } from './support/env.js';
import { CasPage } from './pages/cas-page.js';
import { CLI, ROOT } from './support/studio-process.js';

test.use({ seed: 'empty' });

/** An evidence bundle of 247 records across 3 files: over the 32 KiB inline limit. */
function bundle(): string {
  const files = [100, 100, 47].map((n, f) => ({ path: `src/f${f}.go`, records: Array.from({ length: n }, (_, i) => ({ line: i + 1, text: 'x'.repeat(150) })) }));
  return JSON.stringify({ version: 1, status: 'ok', command: 'evidence.bundle', data: { files }, meta: { ts: '2026-12-01T09:30:00Z', duration_ms: 840 } });
}

test.describe('CAS places and artifacts', () => {
  test('an artifact shows its summary; the Go sqlite cas.db shows beside the file store and merges into it', async ({ app, home }) => {
    const crashes: string[] = [];
    app.page.on('pageerror', (e) => crashes.push(e.message));
    // A skill output moved into the CAS by the real CLI, as the Go runtime's output limit does.
    const printed = execFileSync(process.execPath, [CLI, 'cas', 'artifactize'], { cwd: ROOT, env: { ...process.env, FOXCTL_HOME: home, HOME: path.dirname(home) }, input: bundle(), stdio: ['pipe', 'pipe', 'pipe'] }).toString();
    const artifact = (JSON.parse(printed) as { data: { artifact: string } }).data.artifact;
    // What the Go components wrote meanwhile into their default sqlite CAS, with sqlite3.
    const casDb = path.join(home, 'storage', 'cas.db');
    writeGoSqliteCas(casDb, [
      { content: Buffer.from('agent turn 1: full transcript'), kind: 'text/plain', tags: ['turn'] },
      { content: Buffer.from('{"board":{"lanes":4}}'), kind: 'application/json', pinned: true },
    ]);

    const cas = await new CasPage(app).open();
    // The artifact's row says what it is without opening it.
    const row = cas.row(artifact);
    await expect(row.getByTestId('cas-artifact-summary')).toHaveText('Evidence bundle with 247 records across 3 files');
    // Both places, with their counts, and who uses each.
    const places = cas.root.getByTestId('cas-locations');
    await expect(places.getByTestId('cas-location')).toHaveCount(2);
    const goDb = places.locator('[data-testid="cas-location"][data-backend="sqlite"]');
    await expect(goDb).toContainText(casDb);
    await expect(goDb).toContainText('Go components');
    await expect(goDb.getByTestId('cas-location-objects')).toHaveText('2 objects');
    await expect(goDb.getByTestId('cas-location-pending')).toHaveText('2 not here');
    await app.page.setViewportSize({ width: 1400, height: 900 });
    await app.page.screenshot({ path: path.join(ARTIFACTS, 'cas-places-1400x900.png'), animations: 'disabled' });
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await places.scrollIntoViewIfNeeded();
    await app.page.screenshot({ path: path.join(ARTIFACTS, 'cas-places-1024x700.png'), animations: 'disabled' });

    // Keyboard only: open the artifact's detail from its row.
    await row.focus();
    await app.page.keyboard.press('Enter');
    const facts = cas.detail().getByTestId('cas-artifact-detail');
    await expect(facts).toContainText('Evidence bundle with 247 records across 3 files');
    await expect(facts).toContainText('evidence.bundle');
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await cas.detail().scrollIntoViewIfNeeded();
    await app.page.screenshot({ path: path.join(ARTIFACTS, 'cas-artifact-1024x700.png'), animations: 'disabled' });
    // The detail drawer covers the view's right side: Escape closes it.
    await app.page.keyboard.press('Escape');
    await expect(cas.detail()).toBeHidden();

    // Merge the Go cas.db into the file store: a job; then both objects are listed here, the pin kept.
    await goDb.getByRole('button', { name: 'Merge into file' }).click();
    await expect(cas.root.getByTestId('cas-merge-result')).toContainText('Merged 2 objects', { timeout: 20_000 });
    await expect(cas.rows()).toHaveCount(3);
    await expect(cas.rows().filter({ hasText: 'pinned' })).toHaveCount(1);
    // The source keeps its objects; the view says they are all here now.
    await expect(goDb.getByTestId('cas-location-objects')).toHaveText('2 objects');
    await expect(goDb.getByTestId('cas-location-pending')).toHaveText('all here too');
    await cas.root.getByTestId('cli-equivalent').first().locator('summary').click();
    await expect(cas.root.getByTestId('cli-equivalent').first()).toContainText(`foxctl cas migrate --from ${casDb} --to ${path.join(home, 'cas')}`);
    await app.page.setViewportSize({ width: 1400, height: 900 });
    await app.page.screenshot({ path: path.join(ARTIFACTS, 'cas-places-merged-1400x900.png'), animations: 'disabled' });
    expect(crashes).toEqual([]);
  });
});
