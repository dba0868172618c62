// Starts and talks to the load process (load.mjs) over IPC: used by run.mjs and floor.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT } from './cluster.mjs';

const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));

/** The load process, with its descriptor limit raised as far as the hard limit allows; `next(type)` awaits a message. */
export function startLoad({ profDir } = {}) {
  // 10,000 sockets need a descriptor limit above N: raise the soft limit up to the hard one for the child.
  const hard = Number(spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 1024;
  const want = Math.min(65_536, hard === 0 || Number.isNaN(hard) ? 65_536 : hard);
  const prof = profDir ? `--cpu-prof --cpu-prof-interval=100 --cpu-prof-dir="${profDir}"` : '';
  const child = spawn('bash', ['-c', `ulimit -n ${want} 2>/dev/null; exec "${process.execPath}" ${prof} "${LOAD}"`], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = [];
  const inbox = [];
  child.on('message', (m) => {
    if (m.type === 'progress') {
      process.stderr.write(`\r  connected ${m.connected}/${m.total}${m.failed ? ` (${m.failed} failed)` : ''}   `);
      return;
    }
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    nofile: want,
    exited,
    send: (m) => child.send(m),
    next(type, timeoutMs = 600_000) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      return new Promise((resolve, reject) => {
        const w = { type, resolve };
        waiters.push(w);
        const timer = setTimeout(() => {
          const k = waiters.indexOf(w);
          if (k >= 0) waiters.splice(k, 1);
          reject(new Error(`load process: no '${type}' within ${timeoutMs} ms`));
        }, timeoutMs);
        exited.then((e) => reject(new Error(`load process exited ${JSON.stringify(e)} while waiting for '${type}'`)));
        const orig = w.resolve;
        w.resolve = (m) => {
          clearTimeout(timer);
          orig(m);
        };
      });
    },
  };
}
