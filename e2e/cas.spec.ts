import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures.js';
import { ARTIFACTS } from './support/env.js';
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
    // Tags: added in the detail, merged with the object's own, shown in the list, and the CLI line of it.
    await cas.detail().getByTestId('cas-tag-input').fill('report, q1');
    await cas.detail().getByRole('button', { name: 'Add tags' }).click();
    await expect(cas.detail().getByTestId('cas-detail-tags')).toContainText('report');
    await expect(cas.detail().getByTestId('cas-detail-tags')).toContainText('q1');
    await expect(cas.row(jsonDigest)).toContainText('report');
    await cas.detail().getByTestId('cli-equivalent').locator('summary').click();
    await expect(cas.detail().getByTestId('cli-equivalent')).toContainText(`foxctl cas tag ${jsonDigest} report q1`);
    // Save as…: verified, then a real download of exactly the stored bytes.
    const download = app.page.waitForEvent('download');
    await cas.detail().getByTestId('cas-save-as').click();
    const saved = await download;
    // Saved under the name it was dropped with.
    expect(saved.suggestedFilename()).toBe('config.json');
    expect(await saved.failure()).toBeNull();
    expect(fs.readFileSync(await saved.path(), 'utf8')).toBe('{"theme":"dark","retries":3}');
    await expect(cas.detail().getByTestId('cas-saved')).toBeVisible();
    await expect(cas.detail().getByTestId('cli-equivalent')).toContainText(`foxctl cas get ${jsonDigest} -o config.json`);
    await app.screenshotBothThemes('cas-detail');
    // The detail is a side drawer over the view, as in Events: Escape closes it.
    await app.page.keyboard.press('Escape');
    await expect(cas.detail()).toBeHidden();

    // gc dry run of any age: the text object would go, the pinned one is kept.
    const textDigest = (await cas.rows().filter({ hasText: 'text/plain' }).getAttribute('data-digest'))!;
    await cas.gc().getByLabel('Older than', { exact: true }).selectOption('0s');
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
    await expect(cas.verify().getByTestId('cas-verify-summary')).toContainText('1 problem found; 2 objects checked', { timeout: 20_000 });
    const bad = cas.verifyGroup('corrupt');
    await expect(bad).toContainText(textDigest);
    await expect(bad).toContainText('What to do: Do not use these bytes');
    await expect(cas.row(textDigest)).toHaveClass(/cas-row-corrupt/);
    // Its preview is refused: the bytes do not match the digest.
    await bad.getByRole('button', { name: textDigest }).click();
    await expect(cas.detail()).toHaveAttribute('data-digest', textDigest);
    await expect(cas.detail()).toContainText('CORRUPT');
    // Save as… fails without writing a file: the page names the problem and starts no download.
    const downloads: string[] = [];
    app.page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await cas.detail().getByTestId('cas-save-as').click();
    await expect(cas.detail().getByRole('alert').filter({ hasText: 'is corrupt' }).first()).toBeVisible();
    await expect(cas.detail().getByTestId('cas-saved')).toHaveCount(0);
    await app.screenshotBothThemes('cas-save-corrupt');
    // Even a download link taken past the page's check fails: the route cuts the stream short of
    // its length, so Chromium marks the download failed and no file completes.
    const link = await app.call('cas.downloadLink', { digest: textDigest, name: 'notes.txt' });
    expect(link.ok).toBe(true);
    const forced = app.page.waitForEvent('download');
    await app.page.evaluate((url) => {
      const d = globalThis as unknown as { document: { createElement(t: string): { href: string; download: string; click(): void } } };
      const a = d.document.createElement('a');
      a.href = url;
      a.download = 'notes.txt';
      a.click();
    }, (link.value as { url: string }).url);
    const failed = await forced;
    expect(await failed.failure()).not.toBeNull();
    expect(downloads).toEqual(['notes.txt']);
    await cas.verify().scrollIntoViewIfNeeded();
    await app.screenshotBothThemes('cas-verify');
    expect(crashes).toEqual([]);
  });

  test('verify all lists bytes deleted by hand and bytes without metadata, with what to do; putting the original again fixes it', async ({ app }) => {
    // Three objects in the Go foxctl's layout (FORMATS.md), one of them pinned.
    const dir = path.join(app.home, 'cas', 'sha256');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(app.home, 'cas', 'pins'), { recursive: true });
    const goPut = (body: string, pinned = false): string => {
      const hex = createHash('sha256').update(body).digest('hex');
      fs.writeFileSync(path.join(dir, hex), body, { mode: 0o600 });
      const meta = { digest: `sha256:${hex}`, size_bytes: Buffer.byteLength(body), kind: 'text/plain', tags: ['report'], created_at: '2026-01-02T03:04:05.123456789Z' };
      fs.writeFileSync(path.join(dir, `${hex}.json`), JSON.stringify(meta, null, 2), { mode: 0o600 });
      if (pinned) fs.writeFileSync(path.join(app.home, 'cas', 'pins', hex), '2026-01-02T03:04:06Z');
      return hex;
    };
    const kept = goPut('kept whole\n');
    const lost = goPut('quarterly report, final\n', true);
    goPut('another object\n');
    const cas = await new CasPage(app).open();
    await expect(cas.rows()).toHaveCount(3);

    // While the app runs: a blob deleted by hand, and bytes a Go put left without metadata when it died.
    fs.unlinkSync(path.join(dir, lost));
    const strayBody = 'bytes of a put that died halfway\n';
    const stray = createHash('sha256').update(strayBody).digest('hex');
    fs.writeFileSync(path.join(dir, stray), strayBody, { mode: 0o600 });

    // Keyboard only: focus Verify all and press Enter.
    await cas.verify().getByRole('button', { name: 'Verify all' }).focus();
    await app.page.keyboard.press('Enter');
    await expect(cas.verify().getByTestId('cas-verify-summary')).toContainText('2 problems found; 3 objects checked', { timeout: 20_000 });
    const missing = cas.verifyGroup('missing_bytes');
    await expect(missing).toContainText('Bytes gone: metadata or a pin remains');
    await expect(missing).toContainText('What to do: The bytes are lost: put the original content again');
    await expect(cas.verifyProblem('missing_bytes', `sha256:${lost}`)).toContainText(`its bytes file is gone; its metadata file sha256/${lost}.json and its pin file (pins/) remain`);
    const orphan = cas.verifyProblem('orphan_bytes', `sha256:${stray}`);
    await expect(orphan).toContainText('has no metadata file (.json); the bytes hash to their name');
    await expect(cas.verifyGroup('orphan_bytes')).toContainText('What to do: The bytes are intact but nothing describes them');
    await expect(cas.verify().locator(`[data-digest="sha256:${kept}"]`)).toHaveCount(0);
    await expect(cas.verify().getByTestId('cas-verify-ok')).toHaveCount(0);
    for (const size of [{ width: 1400, height: 900 }, { width: 1024, height: 700 }]) {
      await app.page.setViewportSize(size);
      await cas.verify().evaluate((el) => (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
      for (const scheme of ['light', 'dark'] as const) {
        await app.page.emulateMedia({ colorScheme: scheme });
        await app.page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-cas-verify-problems-${size.width}x${size.height}-${scheme}.png`), animations: 'disabled' });
      }
    }
    await app.page.emulateMedia({ colorScheme: 'light' });
    await app.page.setViewportSize({ width: 1400, height: 900 });

    // The remedy the panel names: put the original content again, then verify again.
    await cas.drop([{ name: 'report.txt', content: 'quarterly report, final\n' }, { name: 'stray.txt', content: strayBody }]);
    await expect(cas.uploads('uploading')).toHaveCount(0, { timeout: 20_000 });
    await cas.verify().getByRole('button', { name: 'Verify all' }).click();
    await expect(cas.verify().getByTestId('cas-verify-ok')).toContainText('All 4 objects match their digests', { timeout: 20_000 });
    expect(fs.existsSync(path.join(dir, lost))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, `${lost}.json`), 'utf8'))).toMatchObject({ kind: 'text/plain', tags: ['name:report.txt', 'report'] });
  });

  test('drop a folder: every file of its nested folders is stored', async ({ app }) => {
    const cas = await new CasPage(app).open();
    await cas.dropFolder('project', {
      'readme.md': '# project\n',
      src: { 'main.ts': 'console.log(1)\n', 'util.ts': 'export {}\n', deep: { 'data.json': '{"a":1}', 'copy.md': '# project\n' } },
      docs: { 'guide.txt': 'read me\n' },
    });
    await expect(cas.uploads()).toHaveCount(6);
    await expect(cas.uploads('uploading')).toHaveCount(0, { timeout: 20_000 });
    // copy.md has readme.md's bytes: stored once.
    await expect(cas.root.getByTestId('cas-upload-total')).toContainText('5 new · 1 already stored');
    // Each row names the file by its path inside the dropped folder.
    for (const name of ['project/readme.md', 'project/src/main.ts', 'project/src/util.ts', 'project/src/deep/data.json', 'project/src/deep/copy.md', 'project/docs/guide.txt']) {
      await expect(cas.upload(name)).toBeVisible();
    }
    await expect(cas.rows()).toHaveCount(5);
    await cas.root.getByTestId('cli-equivalent').first().locator('summary').click();
    await expect(cas.root.getByTestId('cli-equivalent').first()).toContainText('foxctl cas put --name project/src/deep/data.json project/src/deep/data.json');
    // Names survive: each object is listed under its path, the shared content under both.
    await expect(cas.root.getByTestId('cas-name').filter({ hasText: 'project/src/deep/data.json' })).toBeVisible();
    await expect(cas.root.getByTestId('cas-name').filter({ hasText: 'project/readme.md' })).toContainText('+1');
    await app.screenshotBothThemes('cas-folder-drop');
    const search = cas.root.getByLabel('Search by name or digest prefix', { exact: true });
    await search.fill('UTIL');
    await search.press('Enter');
    await expect(cas.rows()).toHaveCount(1);
    await expect(cas.rows().first()).toContainText('project/src/util.ts');
  });

  test('add a folder with the picker: Chromium reads a real directory tree, every file is stored', async ({ app }) => {
    const cas = await new CasPage(app).open();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-e2e-folder-'));
    const tree = path.join(dir, 'photos');
    fs.mkdirSync(path.join(tree, '2024', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'a.txt'), 'first\n');
    fs.writeFileSync(path.join(tree, '2024', 'b.txt'), 'second\n');
    fs.writeFileSync(path.join(tree, '2024', 'deep', 'c.json'), '{"third":3}');
    try {
      await cas.root.getByTestId('cas-folder-input').setInputFiles(tree);
      await expect(cas.uploads()).toHaveCount(3);
      await expect(cas.uploads('uploading')).toHaveCount(0, { timeout: 20_000 });
      await expect(cas.uploads('stored')).toHaveCount(3);
      for (const name of ['photos/a.txt', 'photos/2024/b.txt', 'photos/2024/deep/c.json']) await expect(cas.upload(name)).toBeVisible();
      await expect(cas.rows()).toHaveCount(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cancel an upload mid-file: nothing is stored and no temp file is left', async ({ app }) => {
    const cas = await new CasPage(app).open();
    // Throttle uploads so the file is still on its way when Cancel is clicked.
    const cdp = await app.page.context().newCDPSession(app.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 << 20 });
    await cas.dropBigFile('big.bin', 96);
    const row = cas.upload('big.bin');
    await expect(row).toHaveAttribute('data-state', 'uploading');
    // Some bytes have arrived, far from all of them.
    await expect(row).toContainText(/received [1-9][\d.]* (KB|MB) of 96(\.0)? MB/, { timeout: 20_000 });
    // What the row counts is what the studio received (its job's progress), never more: not the
    // bytes the browser handed to the network, which run ahead of the server by its buffers.
    const shown = Number(await row.getAttribute('data-received'));
    const put = ((await app.call('jobs.list', { limit: 5 })).value as { kind: string; state: string; progress: { done: number } }[]).find((j) => j.kind === 'cas.put' && j.state === 'running');
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(put?.progress.done ?? 0);
    await app.screenshotBothThemes('cas-upload-progress');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect(row).toHaveAttribute('data-state', 'canceled');
    await expect(row).toContainText('Canceled: nothing was stored');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await app.call('cas.stats', {})).toMatchObject({ ok: true, value: { objects: 0 } });
    const tmp = path.join(app.home, 'cas', 'tmp');
    await expect.poll(() => (fs.existsSync(tmp) ? fs.readdirSync(tmp) : [])).toEqual([]);
    const jobs = (await app.call('jobs.list', { limit: 5 })).value as { kind: string; state: string }[];
    expect(jobs.find((j) => j.kind === 'cas.put')?.state).toBe('canceled');
  });

  test('5,000 objects: the list stays small in the DOM and the last object is reachable by scrolling', async ({ app }) => {
    // Seeded on disk in the file backend's format (FORMATS.md), one second apart.
    const dir = path.join(app.home, 'cas', 'sha256');
    fs.mkdirSync(dir, { recursive: true });
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    let oldest = '';
    for (let i = 0; i < 5000; i++) {
      const body = `object number ${i}\n`;
      const hex = createHash('sha256').update(body).digest('hex');
      if (i === 0) oldest = `sha256:${hex}`;
      fs.writeFileSync(path.join(dir, hex), body);
      const meta = { digest: `sha256:${hex}`, size_bytes: Buffer.byteLength(body), kind: 'text/plain', tags: i % 10 === 0 ? ['tenth'] : [], created_at: new Date(t0 + i * 1000).toISOString() };
      fs.writeFileSync(path.join(dir, `${hex}.json`), JSON.stringify(meta, null, 2));
    }
    const cas = await new CasPage(app).open();
    await expect(cas.root.getByTestId('cas-stat-objects')).toHaveText('5,000');
    const domRows = async (): Promise<number> => cas.rows().count();
    expect(await domRows()).toBeLessThan(80);
    // Scroll to the end again and again: pages load as the end comes near, the DOM stays small.
    await expect
      .poll(
        async () => {
          await cas.list().evaluate((el) => {
            const box = el as unknown as { scrollTop: number; scrollHeight: number };
            box.scrollTop = box.scrollHeight;
          });
          return cas.row(oldest).count();
        },
        { timeout: 30_000, intervals: [100, 200, 300] },
      )
      .toBe(1);
    await expect(cas.row(oldest)).toBeVisible();
    expect(await domRows()).toBeLessThan(80);
    await expect(cas.root.getByText('5000 objects shown')).toBeVisible();
    await app.screenshotBothThemes('cas-5000');
  });
});
