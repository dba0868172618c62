/**
 * The dashboard's static files served by the server, and the dashboard itself in a real browser
 * (Debian's Chromium through playwright-core): log in, create a flag, toggle it, and check the
 * result and its audit trail through the API. The browser part skips, saying why, when
 * /usr/bin/chromium is absent (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { dashboardDir, resolveUnder } from '../src/http/routes/dashboard.js';
import { startTestServer, storeKinds, type TestServer } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const skipBrowser = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the dashboard in a browser`;

describe('dashboard static files', () => {
  let s: TestServer;
  before(async () => {
    const [pglite] = await storeKinds();
    if (!pglite) throw new Error('no store');
    s = await startTestServer(pglite);
  });
  after(async () => {
    await s?.close();
  });

  test('index.html at / as text/html, not cached without revalidation', async () => {
    const res = await s.call('GET', '/', { token: null });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<script type="module" src="\/app.js">/);
  });

  test('scripts and styles with their content types', async () => {
    for (const [url, type] of [
      ['/app.js', /^text\/javascript/],
      ['/js/api.js', /^text\/javascript/],
      ['/style.css', /^text\/css/],
    ] as const) {
      const res = await s.call('GET', url, { token: null });
      assert.equal(res.status, 200, url);
      assert.match(String(res.headers['content-type']), type, url);
      assert.equal(res.headers['cache-control'], 'no-cache', url);
    }
  });

  test('path traversal is refused with 404', async () => {
    for (const url of [
      '/..%2f..%2fpackage.json',
      '/../../etc/passwd',
      '/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/js/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%5c..%5cpackage.json',
      '/.%00./package.json',
    ]) {
      const res = await s.call('GET', url, { token: null, headers: { accept: 'text/html' } });
      assert.equal(res.status, 404, url);
      assert.doesNotMatch(String(res.body), /"name"|root:/, url);
    }
  });

  test('resolveUnder keeps every path inside the directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'vexil-dash-'));
    writeFileSync(join(root, 'a.js'), '');
    assert.equal(resolveUnder(root, '/a.js'), resolve(root, 'a.js'));
    assert.equal(resolveUnder(root, '/sub/./b.css'), resolve(root, 'sub', 'b.css'));
    for (const bad of ['/../x.js', '/a/../../x.js', '/%2e%2e%2fx.js', '/.env', '/x.txt', '/%E0%A4%A', '/a\\..\\x.js'])
      assert.equal(resolveUnder(root, bad), undefined, bad);
  });

  test('other paths, API paths and missing files are the 404 problem document', async () => {
    for (const url of ['/p/default', '/api/v1/nope', '/sdk/v1/nope', '/missing.js', '/index.htm']) {
      const res = await s.call('GET', url, { token: null, headers: { accept: 'text/html' } });
      assert.equal(res.status, 404, url);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
    }
  });

  test('the directory comes from the installed @vexil/dashboard package', () => {
    assert.ok(existsSync(join(dashboardDir(), 'index.html')));
  });
});

describe('dashboard in Chromium against a real server', { skip: skipBrowser }, () => {
  let s: TestServer;
  let base = '';
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    const [pglite] = await storeKinds();
    if (!pglite) throw new Error('no store');
    s = await startTestServer(pglite);
    base = await s.vexil.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** A new browser context on `path`, logged in as the administrator; confirm dialogs are accepted. */
  const loggedIn = async (path: string, width: number) => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}${path}`);
    await page.getByLabel('Email').fill(s.adminEmail);
    await page.getByLabel('Password').fill(s.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    return { context, page };
  };

  test('log in, create a flag, turn it on in production; the API and the audit log agree', {
    timeout: 30_000,
  }, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${base}/`);

    // A wrong password shows the problem's detail.
    await page.getByLabel('Email').fill(s.adminEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-error').filter({ hasText: /./ }).waitFor();

    await page.getByLabel('Password').fill(s.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    assert.match((await page.locator('#who-name').textContent()) ?? '', /admin@test\.local/);

    await page.getByRole('link', { name: 'Default' }).click();
    await page.getByRole('tab', { name: 'Production' }).click();
    await page.waitForURL(/env=production/);

    await page.getByText('New flag').click();
    await page.getByLabel('Key').fill('dash-flag');
    await page.getByLabel('Name', { exact: true }).fill('Dashboard flag');
    await page.getByLabel('Description').fill('made in the browser');
    await page.getByRole('button', { name: 'Create flag' }).click();
    const row = page.locator('li[data-flag="dash-flag"]');
    const toggle = row.getByRole('button', { name: /dash-flag in Production: off/ });
    await toggle.waitFor();

    await toggle.click();
    await page.getByLabel('Comment (optional)').fill('launch from the dashboard');
    await page.getByRole('dialog').getByRole('button', { name: 'Turn on' }).click();
    await row.getByRole('button', { name: /dash-flag in Production: on/ }).waitFor();

    // Search narrows the list.
    await page.getByLabel('Search flags').fill('no-such-flag');
    await page.getByText(/No flags match/).waitFor();

    // A stale version gets a clear message rather than a silent overwrite.
    await page.getByLabel('Search flags').fill('dash');
    await row.getByRole('button', { name: /dash-flag in Production: on/ }).waitFor();
    const behind = await s.call('PATCH', '/api/v1/projects/default/flags/dash-flag/environments/production', {
      body: { instructions: [{ kind: 'turnFlagOff' }] },
    });
    assert.equal(behind.status, 200);
    await row.getByRole('button', { name: /dash-flag in Production: on/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Turn off' }).click();
    await page
      .locator('#notice')
      .filter({ hasText: /someone else changed dash-flag/ })
      .waitFor();
    await row.getByRole('button', { name: /dash-flag in Production: off/ }).waitFor();
    await row.getByRole('button', { name: /dash-flag in Production: off/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Turn on' }).click();
    await row.getByRole('button', { name: /dash-flag in Production: on/ }).waitFor();

    // Through the API: on in production, off in staging, changed by the logged-in user.
    const flag = await s.call('GET', '/api/v1/projects/default/flags/dash-flag');
    assert.equal(flag.status, 200);
    assert.equal(flag.body.description, 'made in the browser');
    assert.equal(flag.body.environments.production.on, true);
    assert.equal(flag.body.environments.staging.on, false);
    const audit = await s.call('GET', '/api/v1/projects/default/audit?resourceKey=dash-flag');
    assert.equal(audit.status, 200);
    const [admin] = await s.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [s.adminEmail]);
    const launch = audit.body.items.find(
      (e: any) => e.environment === 'production' && e.comment === 'launch from the dashboard',
    );
    assert.ok(launch, JSON.stringify(audit.body.items));
    assert.equal(launch.actor.type, 'user');
    assert.equal(launch.actor.id, admin?.id);
    assert.equal(launch.before?.on, false);
    assert.equal(launch.after?.on, true);
    assert.ok(
      audit.body.items.some((e: any) => e.actor.type === 'user' && e.actor.id === admin?.id && /create/.test(e.action)),
    );

    // The detail view: targeting as JSON and the audit trail.
    await row.getByRole('link', { name: 'Dashboard flag' }).click();
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    await page.getByText('“launch from the dashboard”').waitFor();
    assert.match((await page.locator('ol.variations').textContent()) ?? '', /true/);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const whoami = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(whoami, 401);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('edit targeting: a rule, an individual target and a percentage default; bad weights are refused with their path', {
    timeout: 30_000,
  }, async () => {
    const created = await s.call('POST', '/api/v1/projects/default/flags', {
      body: { key: 'edited', name: 'Edited in the browser' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { context, page } = await loggedIn('/#/p/default/f/edited', 1000);
    await page.getByRole('button', { name: 'Edit targeting in Production' }).click();
    const editor = page.getByRole('form', { name: 'Targeting in Production' });

    await editor.getByLabel('Flag on').check();
    await editor.getByRole('button', { name: 'Add target' }).click();
    await editor.getByLabel('Target 1: variation').selectOption({ index: 1 });
    await editor.getByLabel('Target 1: keys').fill('bob, carol');
    await editor.getByRole('button', { name: 'Add rule' }).click();
    const offered = await editor.getByLabel('Rule 1 clause 1: operator').locator('option').allTextContents();
    const { OPERATORS } = await import('@vexil/core');
    assert.deepEqual(offered, [...OPERATORS], 'every operator the server accepts, read from its OpenAPI document');
    await editor.getByLabel('Rule 1 clause 1: attribute').fill('country');
    await editor.getByLabel('Rule 1 clause 1: values').fill('NL, BE');
    await editor.getByLabel('Rule 1: variation').selectOption({ index: 0 });
    await editor.getByLabel('Default rule: serve').selectOption('rollout');
    await editor.getByLabel('Default rule: % for variation 0').fill('10');
    await editor.getByLabel('Default rule: % for variation 1').fill('10');
    await editor.getByRole('button', { name: 'Save targeting' }).click();
    // 20 % in all: the server's problem names the field, and nothing is saved.
    await page
      .locator('#notice')
      .filter({ hasText: /fallthrough/ })
      .waitFor();
    const unchanged = await s.call('GET', '/api/v1/projects/default/flags/edited');
    assert.equal(unchanged.body.environments.production.on, false);

    await editor.getByLabel('Default rule: % for variation 0').fill('25');
    await editor.getByLabel('Default rule: % for variation 1').fill('75');
    await editor.getByLabel('Comment (optional)').fill('targeting from the dashboard');
    await editor.getByRole('button', { name: 'Save targeting' }).click();
    await page.locator('#notice').filter({ hasText: 'Targeting of edited in Production saved.' }).waitFor();

    const saved = (await s.call('GET', '/api/v1/projects/default/flags/edited')).body.environments.production;
    assert.equal(saved.on, true);
    assert.deepEqual(saved.targets, [{ variation: 1, values: ['bob', 'carol'] }]);
    assert.equal(saved.rules.length, 1);
    assert.deepEqual(saved.rules[0].clauses, [{ attribute: 'country', op: 'in', values: ['NL', 'BE'] }]);
    assert.deepEqual(saved.rules[0].serve, { variation: 0 });
    assert.deepEqual(saved.fallthrough, {
      rollout: {
        variations: [
          { variation: 0, weight: 25_000 },
          { variation: 1, weight: 75_000 },
        ],
      },
    });
    const staging = (await s.call('GET', '/api/v1/projects/default/flags/edited')).body.environments.staging;
    assert.equal(staging.rules.length, 0, 'other environments are untouched');
    const audit = await s.call('GET', '/api/v1/projects/default/audit?resourceKey=edited');
    assert.ok(audit.body.items.some((e: any) => e.comment === 'targeting from the dashboard'));

    // Editing again starts from what was saved, and an untouched save changes nothing but the version and time.
    await page.getByRole('button', { name: 'Edit targeting in Production' }).click();
    assert.equal(await editor.getByLabel('Rule 1 clause 1: values').inputValue(), 'NL, BE');
    assert.equal(await editor.getByLabel('Default rule: % for variation 1').inputValue(), '75');
    await editor.getByRole('button', { name: 'Save targeting' }).click();
    await page.locator('#notice').filter({ hasText: 'saved' }).waitFor();
    const again = (await s.call('GET', '/api/v1/projects/default/flags/edited')).body.environments.production;
    assert.equal(again.version, saved.version + 1);
    assert.deepEqual(
      { ...again, version: 0, updatedAt: '' },
      { ...saved, version: 0, updatedAt: '' },
      'a round trip through the editor keeps the configuration',
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('SDK keys: a new server key is shown once and works; rotation ends it; a client-side ID is revoked', {
    timeout: 30_000,
  }, async () => {
    const { context, page } = await loggedIn('/#/p/default?env=staging', 1100);
    await page.getByText('SDK keys for Staging').click();
    await page.getByRole('heading', { name: 'SDK keys in Staging' }).waitFor();

    await page.getByRole('button', { name: 'New server key' }).click();
    const shown = page.getByLabel('New server SDK key', { exact: true });
    const key = await shown.inputValue();
    assert.match(key, /^vxs_/);
    const sdk = (k: string) => fetch(`${base}/sdk/v1/flags`, { headers: { authorization: k } });
    assert.equal((await sdk(key)).status, 200, 'the key shown works for a server SDK');
    const hint = `vxs_…${key.slice(-4)}`;
    const row = page.locator('tr', { hasText: hint });
    await row.waitFor();
    assert.ok(!((await page.locator('table.keys').textContent()) ?? '').includes(key), 'the list shows only the hint');

    await row.getByRole('button', { name: `Rotate ${hint}` }).click();
    // The shown key is replaced once the rotation answered.
    let rotated = key;
    for (let i = 0; i < 100 && rotated === key; i++) {
      await page.waitForTimeout(50);
      rotated = await page.getByLabel('New server SDK key', { exact: true }).inputValue();
    }
    assert.notEqual(rotated, key);
    assert.equal((await sdk(rotated)).status, 200);
    assert.equal((await sdk(key)).status, 401, 'rotated "at once": the old key stops working');

    const clientIds = (await s.call('GET', '/api/v1/projects/default/environments/staging/keys')).body.items.filter(
      (k: any) => k.kind === 'client',
    );
    const [cid] = clientIds;
    assert.ok(cid, 'the environment has a client-side ID');
    await page
      .locator('tr', { hasText: cid.clientId })
      .getByRole('button', { name: `Revoke ${cid.hint}` })
      .click();
    await page.locator('tr', { hasText: cid.clientId }).waitFor({ state: 'detached' });
    const after = (await s.call('GET', '/api/v1/projects/default/environments/staging/keys')).body.items;
    assert.ok(!after.some((k: any) => k.id === cid.id), 'revoked keys leave the active list');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('segments: create one with keys and a rule, edit it, and a flag rule that targets it serves its members', {
    timeout: 30_000,
  }, async () => {
    const { context, page } = await loggedIn('/#/p/default?env=production', 1100);
    await page.getByText('Segments in Production').click();
    await page.getByRole('button', { name: 'New segment' }).click();
    const form = page.getByRole('form', { name: 'New segment' });
    await form.getByLabel('Segment key').fill('beta');
    await form.getByLabel('Segment name').fill('Beta testers');
    await form.getByLabel('Included keys (comma-separated)').fill('alice, bob');
    await form.getByRole('button', { name: 'Add segment rule' }).click();
    await form.getByLabel('Segment rule 1 clause 1: attribute').fill('plan');
    await form.getByLabel('Segment rule 1 clause 1: values').fill('pro');
    await form.getByRole('button', { name: 'Create segment' }).click();
    await page.locator('#notice').filter({ hasText: 'Segment beta saved in Production.' }).waitFor();

    await page.getByRole('button', { name: 'Edit beta' }).click();
    const edit = page.getByRole('form', { name: 'Segment beta' });
    assert.equal(await edit.getByLabel('Included keys (comma-separated)').inputValue(), 'alice, bob');
    await edit.getByLabel('Excluded keys (comma-separated)').fill('mallory');
    await edit.getByRole('button', { name: 'Save segment' }).click();
    await page.locator('#notice').filter({ hasText: 'Segment beta saved' }).waitFor();

    const stored = await s.call('GET', '/api/v1/projects/default/environments/production/segments/beta');
    assert.equal(stored.status, 200);
    const config = stored.body.config;
    assert.deepEqual(config.included, [{ values: ['alice', 'bob'] }]);
    assert.deepEqual(config.excluded, [{ values: ['mallory'] }]);
    assert.deepEqual(config.rules[0].clauses, [{ attribute: 'plan', op: 'in', values: ['pro'] }]);

    // The segment at work: a flag rule with segmentMatch serves its members.
    await s.call('POST', '/api/v1/projects/default/flags', { body: { key: 'for-beta', name: 'For beta' } });
    const put = await s.call('PUT', '/api/v1/projects/default/flags/for-beta/environments/production', {
      body: {
        on: true,
        rules: [{ id: 'beta', clauses: [{ op: 'segmentMatch', values: ['beta'] }], serve: { variation: 0 } }],
        fallthrough: { variation: 1 },
      },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    // What a server SDK receives, evaluated as it would be.
    const key = await s.call('POST', '/api/v1/projects/default/environments/production/keys', {
      body: { kind: 'server' },
    });
    await s.vexil.publisher?.kick();
    const snap = (await (await fetch(`${base}/sdk/v1/flags`, { headers: { authorization: key.body.key } })).json()) as {
      flags: Record<string, unknown>;
      segments: Record<string, unknown>;
    };
    const { createEvaluator } = await import('@vexil/core');
    const compiled = createEvaluator({ flags: Object.values(snap.flags), segments: Object.values(snap.segments) });
    const value = (ctx: Record<string, unknown>) =>
      compiled.evaluator.evaluate('for-beta', { kind: 'user', ...ctx }).value;
    assert.deepEqual(
      [
        value({ key: 'alice' }),
        value({ key: 'zoe', plan: 'pro' }),
        value({ key: 'mallory', plan: 'pro' }),
        value({ key: 'zoe' }),
      ],
      [true, true, false, false],
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('a string flag made in the form; its settings and variations edited; archived, then deleted', {
    timeout: 30_000,
  }, async () => {
    const { context, page } = await loggedIn('/#/p/default?env=production', 1100);
    await page.getByText('New flag').click();
    await page.getByLabel('Key').fill('theme');
    await page.getByLabel('Name', { exact: true }).fill('Theme');
    await page.getByLabel('Kind').selectOption('string');
    await page.getByLabel('Variations').fill('light\ndark');
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.locator('#notice').filter({ hasText: 'Created flag theme' }).waitFor();
    const made = (await s.call('GET', '/api/v1/projects/default/flags/theme')).body;
    assert.equal(made.kind, 'string');
    assert.deepEqual(
      made.variations.map((v: { value: unknown }) => v.value),
      ['light', 'dark'],
    );

    await page.goto(`${base}/#/p/default/f/theme`);
    await page.getByText('Settings, variations and lifecycle').click();
    const form = page.getByRole('form', { name: 'Flag settings' });
    await form.getByLabel('Flag name').fill('Colour theme');
    await form.getByLabel('Tags (comma-separated)').fill('ui, design');
    await form.getByLabel('Served to browsers (client-side SDKs)').check();
    await form.getByLabel('Variation 1 value').fill('night');
    await form.getByLabel('Variation 1 name').fill('Night');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#notice').filter({ hasText: 'Settings of theme saved.' }).waitFor();
    const edited = (await s.call('GET', '/api/v1/projects/default/flags/theme')).body;
    assert.equal(edited.name, 'Colour theme');
    assert.deepEqual(edited.tags, ['ui', 'design']);
    assert.equal(edited.clientVisible, true);
    assert.deepEqual(edited.variations[1], { value: 'night', name: 'Night' });

    await page.getByText('Settings, variations and lifecycle').click();
    await page.getByRole('button', { name: 'Archive flag' }).click();
    await page.locator('.badge', { hasText: 'archived' }).waitFor();
    assert.equal((await s.call('GET', '/api/v1/projects/default/flags/theme')).body.archived, true);
    await page.getByText('Settings, variations and lifecycle').click();
    await page.getByRole('button', { name: 'Delete flag' }).click();
    await page.waitForURL(/#\/p\/default$/);
    assert.equal((await s.call('GET', '/api/v1/projects/default/flags/theme')).status, 404);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('administration: a user created with a shown-once password logs in with the role granted; a token is made and revoked; a project is created', {
    timeout: 40_000,
  }, async () => {
    const { context, page } = await loggedIn('/', 1200);

    await page.getByText('New project').click();
    await page.getByLabel('Project key').fill('mobile');
    await page.getByLabel('Project name').fill('Mobile app');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/#\/p\/mobile$/);
    assert.equal((await s.call('GET', '/api/v1/projects/mobile')).status, 200);

    await page.goto(`${base}/#/admin`);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByText('New user', { exact: true }).click();
    await page.getByLabel('New user’s email').fill('dana@test.local');
    await page.getByLabel('New user’s name').fill('Dana');
    await page.getByRole('button', { name: 'Create user' }).click();
    const password = await page.getByLabel('Password for dana@test.local').inputValue();
    assert.ok(password.length >= 12, 'a generated password is shown once');
    const row = page.locator('tr[data-user="dana@test.local"]');
    await row.getByLabel('Project for dana@test.local').selectOption('default');
    await row.getByLabel('Role for dana@test.local').selectOption('editor');
    await row.getByRole('button', { name: 'Grant dana@test.local' }).click();
    await row.getByText('default: editor').waitFor();

    // Dana logs in with the shown password and may edit flags in default, not administer.
    const dana = await context.browser()?.newContext();
    assert.ok(dana);
    const login = await dana.request.post(`${base}/api/v1/session`, {
      data: { email: 'dana@test.local', password },
    });
    assert.equal(login.status(), 200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const made = await dana.request.post(`${base}/api/v1/projects/default/flags`, {
      headers: { 'x-csrf-token': csrfToken },
      data: { key: 'by-dana', name: 'By Dana' },
    });
    assert.equal(made.status(), 201);
    assert.equal((await dana.request.get(`${base}/api/v1/users`)).status(), 403);

    await page.getByText('New API token').click();
    await page.getByLabel('Token name').fill('deploy pipeline');
    await page.getByLabel('Token role').selectOption('viewer');
    await page.getByLabel('Token project').selectOption('default');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('Token deploy pipeline').inputValue();
    const asToken = () =>
      fetch(`${base}/api/v1/projects/default/flags`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await asToken()).status, 200);
    await page
      .locator('tr[data-token="deploy pipeline"]')
      .getByRole('button', { name: 'Revoke deploy pipeline' })
      .click();
    await page.locator('tr[data-token="deploy pipeline"]').waitFor({ state: 'detached' });
    assert.equal((await asToken()).status, 401);

    await row.getByRole('button', { name: 'Disable dana@test.local' }).click();
    await row.getByText('disabled').waitFor();
    assert.equal((await dana.request.get(`${base}/api/v1/session`)).status(), 401, 'disabling ends her session');
    await dana.close();
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('environments: allowed origins saved in the dashboard open CORS to that site; a new environment cloned from production', {
    timeout: 30_000,
  }, async () => {
    await s.call('POST', '/api/v1/projects/default/flags', { body: { key: 'cloned-on', name: 'Cloned on' } });
    await s.call('PATCH', '/api/v1/projects/default/flags/cloned-on/environments/production', {
      body: { instructions: [{ kind: 'turnFlagOn' }] },
    });
    const { context, page } = await loggedIn('/#/p/default?env=staging', 1100);
    await page.getByText('Environment settings and new environments').click();
    await page.getByLabel('Allowed origins (browsers)').fill('https://shop.example\nhttps://admin.shop.example');
    await page.getByRole('button', { name: 'Save Staging' }).click();
    await page.locator('#notice').filter({ hasText: 'Staging saved.' }).waitFor();
    const staging = (await s.call('GET', '/api/v1/projects/default/environments/staging')).body;
    assert.deepEqual(staging.allowedOrigins, ['https://shop.example', 'https://admin.shop.example']);
    const clientId = (
      await s.call('POST', '/api/v1/projects/default/environments/staging/keys', { body: { kind: 'client' } })
    ).body.key;
    const cors = await fetch(`${base}/client/v1/evaluate`, {
      method: 'POST',
      headers: { authorization: clientId, origin: 'https://shop.example', 'content-type': 'application/json' },
      body: JSON.stringify({ context: { key: 'u1' } }),
    });
    assert.equal(cors.status, 200);
    assert.equal(cors.headers.get('access-control-allow-origin'), 'https://shop.example');

    await page.getByText('Environment settings and new environments').click();
    await page.getByLabel('New environment key').fill('qa');
    await page.getByLabel('New environment name').fill('QA');
    await page.getByLabel('Copy targeting and segments from').selectOption('production');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.getByRole('tab', { name: 'QA' }).waitFor();
    await page.waitForURL(/env=qa/);
    const flag = (await s.call('GET', '/api/v1/projects/default/flags/cloned-on')).body;
    assert.equal(flag.environments.qa.on, true, 'the clone carries production’s targeting');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('audit log: filtered by resource and action, a page at a time, each event with the fields it changed', {
    timeout: 30_000,
  }, async () => {
    for (let i = 0; i < 22; i++)
      assert.equal(
        (await s.call('POST', '/api/v1/projects/default/flags', { body: { key: `bulk-${i}`, name: `Bulk ${i}` } }))
          .status,
        201,
      );
    const toggled = await s.call('PATCH', '/api/v1/projects/default/flags/bulk-3/environments/production', {
      body: { instructions: [{ kind: 'turnFlagOn' }], comment: 'audited toggle' },
    });
    assert.equal(toggled.status, 200);
    const { context, page } = await loggedIn('/#/p/default', 1100);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log of default' }).waitFor();
    const items = page.locator('ol.audit > li');
    await items.first().waitFor();
    assert.equal(await items.count(), 20, 'one page of 20');
    await page.getByRole('button', { name: 'Load more events' }).click();
    await page.waitForFunction(() => document.querySelectorAll('ol.audit > li').length > 20);

    await page.getByLabel('Resource key').fill('bulk-3');
    await page.getByLabel('Action').fill('flag.');
    await page.getByLabel('Environment').selectOption('production');
    await page.getByRole('button', { name: 'Show events' }).click();
    const toggle = page.locator('ol.audit > li', { hasText: 'audited toggle' });
    await toggle.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('ol.audit > li').length === 1);
    await toggle.getByText(/fields? changed/).click();
    const onRow = toggle.locator('tr', { has: page.locator('code', { hasText: /^on$/ }) });
    assert.deepEqual(
      (await onRow.locator('pre').allTextContents()).map((t) => t.trim()),
      ['false', 'true'],
    );
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('webhooks: created with its secret shown once; a change reaches the receiver; deliveries listed; deleted', {
    timeout: 30_000,
  }, async () => {
    const received: string[] = [];
    const { createServer } = await import('node:http');
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(body);
        res.end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/in`;
    try {
      const { context, page } = await loggedIn('/#/p/default?env=production', 1100);
      await page.getByText('Webhooks', { exact: true }).click();
      await page.getByLabel('Webhook name').fill('ci');
      await page.getByLabel('Webhook URL').fill(sinkUrl);
      await page.getByLabel('Events (comma-separated)').fill('flag.*');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const secret = await page.getByLabel('Signing secret of ci').inputValue();
      assert.match(secret, /^whsec_/);
      await s.call('POST', '/api/v1/projects/default/flags', { body: { key: 'hooked-ui', name: 'Hooked' } });
      for (let t = 0; received.length === 0 && t < 150; t++) await page.waitForTimeout(20);
      assert.equal(JSON.parse(received[0] ?? '{}').resource?.key, 'hooked-ui');
      await page.getByRole('button', { name: 'Deliveries of ci' }).click();
      await page.getByRole('table', { name: 'Deliveries of ci' }).getByText('delivered').waitFor();
      await page.getByRole('button', { name: 'Delete ci' }).click();
      await page.getByText('No webhooks.').waitFor();
      assert.deepEqual((await s.call('GET', '/api/v1/projects/default/webhooks')).body.items, []);
      assert.deepEqual(pageErrors, []);
      await context.close();
    } finally {
      sink.close();
    }
  });

  test('experiment results: rates per variation with bars, the comparison with control, and a sample-ratio warning', {
    timeout: 30_000,
  }, async () => {
    await s.call('POST', '/api/v1/projects/default/flags', { body: { key: 'exp-ui', name: 'Experiment UI' } });
    const put = await s.call('PUT', '/api/v1/projects/default/flags/exp-ui/environments/production', {
      body: {
        on: true,
        fallthrough: {
          rollout: {
            experiment: true,
            variations: [
              { variation: 0, weight: 50_000 },
              { variation: 1, weight: 50_000 },
            ],
          },
        },
      },
    });
    assert.equal(put.status, 200);
    const key = (
      await s.call('POST', '/api/v1/projects/default/environments/production/keys', { body: { kind: 'server' } })
    ).body.key;
    const events: unknown[] = [];
    const at = Date.parse('2026-11-01T00:00:00Z');
    for (let i = 0; i < 300; i++) {
      events.push({
        kind: 'exposure',
        creationDate: at,
        flagKey: 'exp-ui',
        version: 1,
        variation: 0,
        contextKeys: { user: `a${i}` },
      });
      if (i < 30) events.push({ kind: 'custom', creationDate: at + 1, key: 'signup', contextKeys: { user: `a${i}` } });
    }
    for (let i = 0; i < 100; i++) {
      events.push({
        kind: 'exposure',
        creationDate: at,
        flagKey: 'exp-ui',
        version: 1,
        variation: 1,
        contextKeys: { user: `b${i}` },
      });
      if (i < 20) events.push({ kind: 'custom', creationDate: at + 1, key: 'signup', contextKeys: { user: `b${i}` } });
    }
    const sent = await fetch(`${base}/events/v1/bulk`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    assert.equal(sent.status, 202);

    const { context, page } = await loggedIn('/#/p/default/f/exp-ui', 1200);
    await page.getByText('Experiment results in Production').click();
    await page.getByLabel('Metric in Production').fill('signup');
    await page.getByRole('button', { name: 'Show results in Production' }).click();
    const table = page.getByRole('table', { name: 'Results of signup' });
    await table.waitFor();
    const row = (v: number) => table.locator(`tr[data-variation="${v}"]`);
    const cells = async (v: number) => (await row(v).locator('td').allTextContents()).map((t) => t.trim());
    assert.deepEqual((await cells(0)).slice(0, 5), ['0: on (control)', '300', '30', '10.00 %', '—']);
    const treatment = await cells(1);
    assert.deepEqual(treatment.slice(0, 4), ['1: off', '100', '20', '20.00 %']);
    assert.match(treatment[4] ?? '', /^\+10\.00 pts \(/);
    assert.ok(Number(treatment[5]) < 0.05, `p = ${treatment[5]}`);
    // 300 vs 100 against 50/50: the split is flagged.
    await page.getByRole('alert').filter({ hasText: 'Sample ratio mismatch' }).waitFor();
    const width = await row(1)
      .locator('.bar span')
      .evaluate((el) => (el as HTMLElement).style.width);
    assert.equal(width, '100%', 'the highest rate fills its bar');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
