import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures.js';
import { BackupsPage } from './pages/backups-page.js';

/** Another process that has memory.db open, as an agent's connection pool does: WAL, read once, idle; a line on stdin inserts a note. */
function holder(file: string): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn(
    'python3',
    [
      '-c',
      `import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
c.execute('SELECT count(*) FROM e2e_notes').fetchall()
print('ready', flush=True)
for line in sys.stdin:
    c.execute("INSERT INTO e2e_notes VALUES (?, 'v', '2026-12-01T00:00:00Z')", (line.strip(),))
    print('done', flush=True)`,
      file,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ready = new Promise<void>((resolve) => proc.stdout!.once('data', () => resolve()));
  return { proc, ready };
}

function notes(file: string, where = '1'): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS c FROM e2e_notes WHERE ${where}`).get() as { c: number }).c;
  } finally {
    db.close();
  }
}

test.describe('restoring a store that another process has open', () => {
  test.setTimeout(90_000);

  test('the dry run names the process, and the store is replaced only when asked; that process goes on in the restored data', async ({ app }) => {
    const file = path.join(app.home, 'storage', 'memory.db');
    const db = new Database(file);
    db.exec("DELETE FROM e2e_notes WHERE name LIKE 'note-1%'");
    db.close();
    const changed = notes(file);
    expect(changed).toBeLessThan(500);
    const agent = holder(file);
    try {
      await agent.ready;
      const backups = await new BackupsPage(app).open();
      await backups.rowButton('seeded', 'Restore…').click();
      const wizard = backups.wizard();
      await wizard.getByRole('group', { name: 'Stores' }).getByLabel('MEMORY', { exact: true }).check();
      await wizard.getByTestId('restore-dry-run').click();
      await wizard.getByTestId('restore-force').check();
      const warning = wizard.getByTestId('restore-in-use');
      await expect(warning).toContainText(`MEMORY in python3 (pid ${agent.proc.pid})`);
      await app.screenshotBothThemes('backups-restore-in-use');
      for (const size of [{ width: 1400, height: 900 }, { width: 1024, height: 700 }]) {
        await app.page.setViewportSize(size);
        await warning.scrollIntoViewIfNeeded();
        await app.page.screenshot({ path: path.join('e2e', 'artifacts', `${app.mode}-backups-restore-in-use-${size.width}x${size.height}.png`), animations: 'disabled' });
      }
      // By keyboard: the choice is a focusable checkbox.
      await wizard.getByTestId('restore-force-in-use').focus();
      await app.page.keyboard.press('Space');
      await expect(wizard.getByTestId('restore-force-in-use')).toBeChecked();
      await expect(wizard.getByTestId('cli-equivalent')).toContainText('--force-in-use');
      await wizard.getByTestId('restore-confirm').click();
      await expect(wizard.getByTestId('safety-backup')).toBeVisible({ timeout: 30_000 });
      expect(notes(file)).toBe(500);
      // The agent's connection was never cut off: its next write is in the restored store.
      const done = new Promise<void>((resolve) => agent.proc.stdout!.once('data', () => resolve()));
      agent.proc.stdin!.write('written-after-restore\n');
      await done;
      expect(notes(file, "name = 'written-after-restore'")).toBe(1);
      expect(notes(file)).toBe(501);
    } finally {
      agent.proc.kill('SIGKILL');
    }
  });
});
