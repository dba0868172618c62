import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Starts the real `vexil` program and resolves once it prints that it is ready. */
function startVexil(dataDir: string, env: Record<string, string> = {}, firstStart = false) {
  const child = spawn(process.execPath, [main, '--port', '0', '--data', dataDir], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<{ url: string; token: string | undefined; out: () => string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready at (http:\/\/\S+)/.exec(out);
      // On a first start the credentials follow the ready line, maybe in a later chunk: wait for the last of them.
      if (m && (!firstStart || out.includes('Try: curl'))) {
        clearTimeout(timer);
        resolve({ url: m[1] as string, token: /API token\s+(vxa_\w+)/.exec(out)?.[1], out: () => out });
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { ready, stop };
}

describe('the vexil program on the embedded store', () => {
  let dir: string;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('first start prints the URL and credentials; data survives a restart', { timeout: 120_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'vexil-start-'));
    const first = startVexil(dir, { VEXIL_ADMIN_PASSWORD: 'a long enough password' }, true);
    const { url, token, out } = await first.ready;
    assert.ok(token, out());
    assert.match(out(), /Log in as\s+admin@vexil\.local\s+with password\s+a long enough password/);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${url}/api/v1/projects/default/flags`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ key: 'survivor', name: 'Survivor', comment: 'before restart' }),
    });
    assert.equal(created.status, 201);
    await first.stop();

    const second = startVexil(dir);
    const again = await second.ready;
    assert.doesNotMatch(again.out(), /First start/, 'no second bootstrap');
    const flag = await fetch(`${again.url}/api/v1/projects/default/flags/survivor`, { headers: auth });
    assert.equal(flag.status, 200, 'the old token and the flag are still there');
    assert.equal(((await flag.json()) as { name: string }).name, 'Survivor');
    const unauth = await fetch(`${again.url}/api/v1/projects/default/flags`);
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    await second.stop();
  });
});
