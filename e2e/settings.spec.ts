import fs from 'node:fs';
import path from 'node:path';
import { addS3rverKeyPair, startS3rver, type TestS3 } from '../src-main/test/s3rver.js';
import { expect, test } from './fixtures.js';
import { CasPage } from './pages/cas-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { ARTIFACTS } from './support/env.js';
import { StoresPage } from './pages/stores-page.js';

// A key pair only this spec uses: distinctive enough that finding it anywhere is a real leak.
const ACCESS_KEY = 'AKIDFOXE2E7Q4Z';
const SECRET = 'fox-e2e-Secret/Key+9f3b7c1d2e4a';
const WRONG = 'fox-e2e-WRONG-secret-55aa77bb';

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    if (fs.readFileSync(p).includes(needle)) out.push(p);
  }
  return out;
}

test.describe('Settings view', () => {
  let s3: TestS3;
  test.beforeAll(async () => {
    addS3rverKeyPair(ACCESS_KEY, SECRET);
    // With signatures checked, a wrong secret fails as it would on S3 (s3rver alone accepts it).
    s3 = await startS3rver('studio-cas', { checkSignatures: true });
  });
  test.afterAll(async () => {
    await s3?.stop();
  });

  test('S3 against s3rver: wrong secret fails with the message, save needs consent, the CAS moves to S3; the secret leaks nowhere', async ({ app, home }) => {
    test.skip(app.mode !== 'browser', 'browser mode: no safeStorage, the consent path');
    test.setTimeout(120_000);
    // Every bridge response body (calls, uploads), to check none carries a secret.
    const bodies: Promise<string>[] = [];
    app.page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith('/api/') && !(res.headers()['content-type'] ?? '').includes('text/event-stream')) bodies.push(res.text().catch(() => ''));
    });
    const crashes: string[] = [];
    app.page.on('pageerror', (e) => crashes.push(e.message));

    // A few objects in the file CAS, to move later.
    const cas = await new CasPage(app).open();
    await cas.drop([
      { name: 'a.txt', content: 'alpha\n' },
      { name: 'b.txt', content: 'bravo\n' },
      { name: 'c.json', content: '{"c":3}', type: 'application/json' },
    ]);
    await expect(cas.uploads('stored')).toHaveCount(3, { timeout: 20_000 });

    const settings = await new SettingsPage(app).open();
    await expect(settings.root.getByTestId('secret-status')).toHaveAttribute('data-protection', 'none');
    await expect(settings.root.getByTestId('secret-status')).toContainText('No system keychain in this mode');
    await expect(settings.row('storage.root')).toContainText('default');
    await expect(settings.root.getByTestId('cas-driver')).toHaveText('file');
    await expect(settings.root.getByTestId('cas-move-s3')).toBeDisabled();

    // Validated as typed: a bad bucket name and an endpoint with credentials are named at once.
    await settings.fill({ 's3-bucket': 'Bad_Bucket', 's3-endpoint': 'http://user:pw@127.0.0.1:1' });
    await expect(settings.root.getByTestId('s3-bucket')).toContainText('lower-case letters');
    await expect(settings.root.getByTestId('s3-endpoint')).toContainText('must not contain credentials');
    await expect(settings.root.getByTestId('s3-save')).toBeDisabled();

    await settings.fill({ 's3-bucket': 'studio-cas', 's3-endpoint': s3.endpoint, 's3-region': 'us-east-1', 's3-access-key': ACCESS_KEY, 's3-secret': WRONG });
    await settings.check('s3', 'Path-style URLs (MinIO, s3rver)');
    await settings.check('s3', 'Plain HTTP (no TLS)');
    await settings.form('s3').getByText('Show env equivalent').click();
    await expect(settings.root.getByTestId('s3-env')).toContainText(`FOXCTL_CAS_S3_ENDPOINT=${s3.endpoint}`);
    await expect(settings.root.getByTestId('s3-env')).toContainText("AWS_SECRET_ACCESS_KEY='<secret access key>'");
    await expect(settings.root.getByTestId('s3-env')).not.toContainText(WRONG);

    const bad = await settings.testConnection('s3');
    await expect(bad).toHaveAttribute('data-ok', 'false');
    await expect(bad).toHaveAttribute('data-code', 'SignatureDoesNotMatch');
    await expect(bad).toContainText('SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided');
    await settings.shot('settings-s3-wrong-secret', settings.card('s3'));

    await settings.fill({ 's3-secret': SECRET });
    const good = await settings.testConnection('s3');
    await expect(good).toHaveAttribute('data-ok', 'true');
    await expect(good).toContainText(`s3://studio-cas/cas/ at ${s3.endpoint}`);
    await expect(good).toContainText(/Connected in \d+ ms/);

    // Without "I understand" the save is refused with the reason, and nothing is written.
    await expect(settings.consent('s3')).toBeVisible();
    await settings.save('s3');
    await expect(settings.form('s3').getByTestId('error-notice')).toHaveAttribute('data-code', 'UNSUPPORTED');
    await expect(settings.form('s3').getByTestId('error-notice')).toContainText('nothing was saved: no OS encryption is available in this mode');
    expect(fs.existsSync(path.join(home, 'secrets.json'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'config.yaml')) ? fs.readFileSync(path.join(home, 'config.yaml'), 'utf8') : '').not.toContain('studio-cas');
    await settings.shot('settings-s3-consent', settings.card('s3'));

    await settings.consent('s3').check();
    await settings.save('s3');
    await expect(settings.root.getByTestId('s3-saved')).toContainText('Saved');
    await expect(settings.root.getByTestId('s3-secret-status')).toContainText('saved · ends in 4a · plain file'.replace('4a', SECRET.slice(-4)));
    await expect(settings.input('s3-secret')).toHaveValue('');
    const config = fs.readFileSync(path.join(home, 'config.yaml'), 'utf8');
    expect(config).toContain('bucket: studio-cas');
    expect(config).toContain('force_path_style: true');
    const secretsFile = path.join(home, 'secrets.json');
    expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);

    // After a reload nothing typed remains: the saved secret is used by Test connection.
    await app.page.reload();
    await app.waitReady();
    await settings.open();
    await expect(settings.input('s3-bucket')).toHaveValue('studio-cas');
    await expect(settings.input('s3-secret')).toHaveValue('');
    await expect(await settings.testConnection('s3')).toHaveAttribute('data-ok', 'true');
    await settings.shot('settings');

    // Move CAS to S3: the migrate job with progress, then switch the backend; the CAS view lists
    // the same objects, now read from the bucket with the saved settings.
    await settings.root.getByTestId('cas-move-s3').click();
    await expect(settings.root.getByTestId('cas-move-done')).toContainText('Copied 3 objects', { timeout: 30_000 });
    await settings.root.getByTestId('cas-use-s3').click();
    await expect(settings.root.getByTestId('cas-driver')).toHaveText('s3');
    await settings.shot('settings-cas-moved', settings.root.getByTestId('cas-backend'));
    expect(fs.readdirSync(path.join(s3.dir)).length).toBeGreaterThan(0);
    const casAgain = await new CasPage(app).open();
    await expect(casAgain.rows()).toHaveCount(3);

    // The secret: in the 0600 secret store (browser mode, after consent) and in no other file,
    // nor in any response of the bridge.
    expect(filesContaining(home, SECRET)).toEqual([secretsFile]);
    expect(filesContaining(home, ACCESS_KEY)).toEqual([secretsFile]);
    expect(filesContaining(home, WRONG)).toEqual([]);
    const all = await Promise.all(bodies);
    expect(all.length).toBeGreaterThan(10);
    for (const body of all) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain(WRONG);
    }
    expect(crashes).toEqual([]);
  });

  test('paths: edit a config-file value (a bad one refused with the reason); the Turso and PostgreSQL forms check as you type', async ({ app, home }) => {
    const settings = await new SettingsPage(app).open();
    await expect(settings.root.getByTestId('resolution-order')).toContainText('environment variable > secret store / config file > default');
    const row = settings.row('events.sync_batch');
    await row.getByRole('button', { name: 'Edit events.sync_batch' }).click();
    await row.getByRole('textbox').fill('lots');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByTestId('error-notice')).toContainText('events.sync_batch from the edit is invalid: expected a whole number');
    await row.getByRole('textbox').fill('250');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row).toContainText('250');
    await expect(row).toContainText('config file');
    expect(fs.readFileSync(path.join(home, 'config.yaml'), 'utf8')).toContain('sync_batch: 250');

    // Turso: a remote URL needs a token; a file: URL answers.
    await settings.fill({ 'turso-url': 'libsql://db-org.turso.io' });
    await expect(settings.root.getByTestId('turso-url')).toContainText('a remote database needs a token');
    await settings.fill({ 'turso-url': `file:${path.join(home, 'probe.db')}` });
    await expect(await settings.testConnection('turso')).toHaveAttribute('data-ok', 'true');
    await settings.shot('settings-turso', settings.card('turso'));

    // PostgreSQL: DSN checked as typed; the fields mode composes one; a refused connection is shown as is.
    await settings.fill({ 'pg-dsn': 'mysql://x@y/z' });
    await expect(settings.root.getByTestId('pg-dsn')).toContainText('must start with postgres://');
    await settings.fill({ 'pg-dsn': 'postgres://fox@127.0.0.1:1/foxctl' });
    await settings.form('postgres').getByLabel('Fields', { exact: true }).check();
    await expect(settings.input('pg-host')).toHaveValue('127.0.0.1');
    await expect(settings.input('pg-database')).toHaveValue('foxctl');
    await settings.fill({ 'pg-password': 'pg-e2e-password-31337' });
    const refused = await settings.testConnection('postgres');
    await expect(refused).toHaveAttribute('data-ok', 'false');
    await expect(refused).toContainText('ECONNREFUSED');
    await expect(refused).not.toContainText('pg-e2e-password-31337');
    await settings.form('postgres').getByText('Show env equivalent').click();
    await expect(settings.root.getByTestId('postgres-env')).toContainText("FOXCTL_POSTGRES_DSN='postgres://fox:<password>@127.0.0.1:1/foxctl'");
    await settings.shot('settings-postgres', settings.card('postgres'));
  });
  test('PostgreSQL: a password typed in the DSN survives the switch to Fields and is saved; an edit clears the Test result', async ({ app, home }) => {
    test.skip(app.mode !== 'browser', 'browser mode: no safeStorage, the consent path');
    const settings = await new SettingsPage(app).open();
    const pw = 'pg-dsn-typed-Pass9';
    await settings.fill({ 'pg-dsn': `postgres://fox:${pw}@127.0.0.1:1/foxctl?connect_timeout=3` });
    const refused = await settings.testConnection('postgres');
    await expect(refused).toHaveAttribute('data-ok', 'false');

    // Switching to Fields carries the password into its field and keeps the other parameter.
    await settings.form('postgres').getByLabel('Fields', { exact: true }).check();
    await expect(refused).toBeHidden();
    await expect(settings.input('pg-password')).toHaveValue(pw);
    await expect(settings.input('pg-host')).toHaveValue('127.0.0.1');
    await expect(settings.input('pg-params')).toHaveValue('connect_timeout=3');
    await settings.form('postgres').getByLabel('DSN', { exact: true }).check();
    await expect(settings.input('pg-dsn')).toHaveValue('postgres://fox@127.0.0.1:1/foxctl?connect_timeout=3');
    await settings.form('postgres').getByLabel('Fields', { exact: true }).check();

    // A Test result speaks of the values it tested: one edit and it is gone.
    await expect(await settings.testConnection('postgres')).toHaveAttribute('data-ok', 'false');
    await settings.fill({ 'pg-port': '2' });
    await expect(settings.root.getByTestId('postgres-probe')).toBeHidden();

    await settings.consent('postgres').check();
    await expect(settings.root.getByTestId('postgres-probe')).toBeHidden();
    await settings.save('postgres');
    await expect(settings.root.getByTestId('postgres-saved')).toHaveText('Saved postgres.dsn, PostgreSQL password in the secret store.');
    await expect(settings.root.getByTestId('pg-password-status')).toContainText(`ends in ${pw.slice(-4)}`);
    const config = fs.readFileSync(path.join(home, 'config.yaml'), 'utf8');
    expect(config).toContain('postgres://fox@127.0.0.1:2/foxctl?connect_timeout=3');
    expect(config).not.toContain(pw);
    expect(fs.readFileSync(path.join(home, 'secrets.json'), 'utf8')).toContain('postgres.password');
    await settings.shot('settings-postgres-saved', settings.card('postgres'));
  });
  test('store drivers: MEMORY on postgres once a DSN is saved, the local_only warning, reset to default', async ({ app, home }) => {
    test.skip(app.mode !== 'browser', 'browser mode: the consent path of the saved password');
    const PASSWORD = 'pg-e2e-drivers-pw-4242';
    const bodies: Promise<string>[] = [];
    app.page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/api/') && !(res.headers()['content-type'] ?? '').includes('text/event-stream')) bodies.push(res.text().catch(() => ''));
    });
    const settings = await new SettingsPage(app).open();
    const card = settings.storeDrivers();
    await expect(card.getByTestId('default-driver')).toHaveText('sqlite');
    await expect(settings.driverRow('MEMORY')).toContainText('sqlite');
    await expect(settings.driverRow('MEMORY')).toContainText('default');
    await expect(settings.driverRow('MEMORY')).toContainText('FOXCTL_MEMORY_DB_DRIVER=sqlite');
    await expect(card.getByTestId('store-drivers-external')).toContainText('OPENCODE: external, read-only here');
    // Keyed stores offer sqlite only.
    await expect(settings.driverRow('REPOINDEX').getByLabel('Driver of REPOINDEX', { exact: true }).locator('option')).toHaveText(['default (sqlite)', 'sqlite']);

    // Without a saved DSN: refused, naming the missing setting; nothing written.
    await settings.setDriver('MEMORY', 'postgres');
    const refused = card.getByTestId('error-notice');
    await expect(refused).toContainText('MEMORY was not switched to postgres');
    await expect(refused).toContainText('$FOXCTL_MEMORY_POSTGRES_DSN');
    await expect(refused).toContainText('save the PostgreSQL form (postgres.dsn) first');
    expect(fs.existsSync(path.join(home, 'config.yaml'))).toBe(false);
    await settings.driverRow('MEMORY').getByRole('button', { name: 'Cancel' }).click();

    // Save a DSN (its password goes to the secret store, after consent).
    await settings.fill({ 'pg-dsn': 'postgres://fox@127.0.0.1:5999/foxctl', 'pg-password': PASSWORD });
    await settings.consent('postgres').check();
    await settings.save('postgres');
    await expect(settings.root.getByTestId('postgres-saved')).toContainText('Saved');

    await settings.setDriver('MEMORY', 'postgres');
    await expect(settings.root.getByTestId('driver-MEMORY')).toHaveText('postgres');
    await expect(settings.driverRow('MEMORY')).toContainText('config file');
    await expect(settings.driverRow('MEMORY')).toContainText('FOXCTL_MEMORY_DB_DRIVER=postgres');
    expect(fs.readFileSync(path.join(home, 'config.yaml'), 'utf8')).toMatch(/stores:\n\s+memory:\n\s+driver: postgres/);

    // A local_only store: the warning shows as soon as postgres is picked, and stays once saved.
    await settings.driverRow('CACHE').getByLabel('Driver of CACHE', { exact: true }).selectOption('postgres');
    await expect(settings.root.getByTestId('driver-warning-CACHE')).toContainText('CACHE is local_only: on postgres it would live in a database other devices may share');
    await settings.driverRow('CACHE').getByRole('button', { name: 'Save' }).click();
    await expect(settings.root.getByTestId('driver-CACHE')).toHaveText('postgres');
    await expect(settings.root.getByTestId('driver-warning-CACHE')).toContainText('CACHE is local_only (rebuildable) but points at a PostgreSQL database other devices may share');
    // The card is taller than the window: a tall viewport shows all of it.
    const size = app.page.viewportSize();
    await app.page.setViewportSize({ width: size?.width ?? 1280, height: 2400 });
    await settings.shot('settings-store-drivers', card);
    if (size) await app.page.setViewportSize(size);

    // The Stores view shows the new driver and the masked DSN.
    const stores = await new StoresPage(app).open();
    if (await stores.showAll().isVisible()) await stores.showAll().click();
    await expect(stores.row('MEMORY')).toContainText('postgres');
    await expect(stores.row('MEMORY')).toContainText('127.0.0.1:5999/foxctl');
    // The list asks each server for its store's size: nothing listens at :5999, and the row says so.
    await expect(stores.row('CACHE')).toContainText('cannot reach store CACHE');
    await expect(stores.row('TASKS')).toContainText('sqlite');

    // Reset both to the default: the keys leave config.yaml and the Stores view follows.
    await settings.open();
    await settings.driverRow('MEMORY').getByTestId('driver-reset-MEMORY').click();
    await expect(settings.root.getByTestId('driver-MEMORY')).toHaveText('sqlite');
    await expect(settings.driverRow('MEMORY')).toContainText('default');
    await settings.driverRow('CACHE').getByTestId('driver-reset-CACHE').click();
    await expect(settings.root.getByTestId('driver-CACHE')).toHaveText('sqlite');
    await expect(settings.root.getByTestId('driver-warning-CACHE')).toHaveCount(0);
    expect(fs.readFileSync(path.join(home, 'config.yaml'), 'utf8')).not.toContain('stores:');
    await new StoresPage(app).open();
    if (await stores.showAll().isVisible()) await stores.showAll().click();
    await expect(stores.row('MEMORY')).toContainText('sqlite');

    const all = await Promise.all(bodies);
    for (const body of all) expect(body).not.toContain(PASSWORD);
  });

  test('config.yaml warnings: a typo is shown with its line and the key it meant; a Go foxctl key is not', async ({ app, home }) => {
    // Written while the studio runs: the Settings view reads the file afresh.
    fs.writeFileSync(path.join(home, 'config.yaml'), 'storage:\n  rooot: /tmp/elsewhere\nlogging:\n  level: debug\nevents:\n  sync_bach: 50\n');
    const settings = await new SettingsPage(app).open();
    const notice = settings.root.getByTestId('config-warnings');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('config.yaml has 2 unknown keys');
    await expect(notice.getByTestId('config-warning')).toHaveCount(2);
    await expect(notice.locator('[data-key="storage.rooot"]')).toHaveText('storage.rooot (line 2): did you mean storage.root?');
    await expect(notice.locator('[data-key="events.sync_bach"]')).toHaveText('events.sync_bach (line 6): did you mean events.sync_batch?');
    await expect(notice).not.toContainText('logging.level');
    await expect(notice).toContainText(path.join(home, 'config.yaml'));
    // The default still applies to the misspelt key.
    await expect(settings.row('storage.root')).toContainText('default');
    for (const [width, height] of [
      [1400, 900],
      [1024, 700],
    ] as const) {
      await app.page.setViewportSize({ width, height });
      await notice.scrollIntoViewIfNeeded();
      await app.page.screenshot({ path: path.join(ARTIFACTS, `${app.mode}-settings-config-warnings-${width}.png`), animations: 'disabled' });
    }
    // Fixed in the file: the notice goes away on the next visit.
    fs.writeFileSync(path.join(home, 'config.yaml'), 'storage:\n  root: /tmp/elsewhere\n');
    await app.open('overview');
    await settings.open();
    await expect(settings.row('storage.root')).toContainText('config file');
    await expect(notice).toHaveCount(0);
  });
});
