// Browser mode's door: the token on every API request, our Host only, no CORS.
import http from 'node:http';
import { expect, test } from './fixtures.js';

test.use({ seed: 'empty' });

/** A raw request, so the test controls every header (Host included). */
function request(port: number, opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

test('refuses API requests without the token, with a wrong one, or with a foreign Host', async ({ studio }, testInfo) => {
  testInfo.skip(testInfo.project.name === 'electron', 'browser mode only');
  const s = studio!;
  const host = `127.0.0.1:${s.port}`;
  const call = { path: '/api/call/app.info', method: 'POST', body: '{}' };

  const none = await request(s.port, { ...call, headers: { host, 'content-type': 'application/json' } });
  expect(none.status).toBe(401);
  expect(none.body).not.toContain('"ok":true');

  const wrong = await request(s.port, { ...call, headers: { host, 'x-foxctl-token': `${s.token.slice(0, -1)}x` } });
  expect(wrong.status).toBe(401);

  const events = await request(s.port, { path: '/api/events', headers: { host } });
  expect(events.status).toBe(401);

  const rebound = await request(s.port, { ...call, headers: { host: `evil.example:${s.port}`, 'x-foxctl-token': s.token } });
  expect(rebound.status).toBe(403);
  const reboundPage = await request(s.port, { path: '/', headers: { host: 'evil.example' } });
  expect(reboundPage.status).toBe(403);

  const crossOrigin = await request(s.port, { ...call, headers: { host, origin: 'https://evil.example', 'x-foxctl-token': s.token } });
  expect(crossOrigin.status).toBe(403);
  expect(crossOrigin.headers['access-control-allow-origin']).toBeUndefined();

  const ok = await request(s.port, { ...call, headers: { host, 'x-foxctl-token': s.token } });
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body)).toMatchObject({ ok: true, value: { mode: 'browser' } });
  expect(ok.headers['access-control-allow-origin']).toBeUndefined();
});

test('a page opened without its token says how to get in', async ({ studio, launchBrowser }, testInfo) => {
  testInfo.skip(testInfo.project.name === 'electron', 'browser mode only');
  const browser = await launchBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(studio!.origin);
  await expect(page.getByTestId('no-token')).toContainText('foxctl studio');
  await context.close();
});
