// Starts and talks to the load process: used by run.mjs and floor.mjs. Two load processes speak the
// same messages: sse-load.c (the default: built here with the machine's C compiler; epoll, a few
// hundred nanoseconds of CPU per event) and load.mjs (Node, ~3 µs of CPU per event, over IPC).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ROOT } from './cluster.mjs';

const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));
const C_SOURCE = fileURLToPath(new URL('./sse-load.c', import.meta.url));

/** Compiles sse-load.c once per version of its source; returns the binary's path. */
export function buildCLoad() {
  const source = readFileSync(C_SOURCE);
  const dir = join(tmpdir(), 'vexil-bench');
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, `sse-load-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  if (existsSync(bin)) return bin;
  const cc = process.env.CC ?? 'cc';
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', bin, C_SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cc} could not build ${C_SOURCE}: ${r.stderr || r.error}`);
  return bin;
}

/** A command line for sse-load.c from a load.mjs message. */
function commandLine(m) {
  if (m.type === 'connect')
    return `connect ${m.concurrency} ${m.key} ${m.targets.map((t) => `${t.port} ${t.count}`).join(' ')}`;
  if (m.type === 'arm') return `arm ${m.round} ${m.timeoutMs ?? 20_000}`;
  if (m.type === 'clock') return `clock ${m.t}`;
  if (m.type === 'close') return 'close';
  throw new Error(`sse-load: no command for ${m.type}`);
}

/**
 * The load process, with its descriptor limit raised as far as the hard limit allows; `next(type)`
 * awaits a message. `engine`: 'c' (default) or 'node'.
 */
export function startLoad({ profDir, engine = 'c' } = {}) {
  // 10,000 sockets need a descriptor limit above N: raise the soft limit up to the hard one for the child.
  const hard = Number(spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 1024;
  const want = Math.min(65_536, hard === 0 || Number.isNaN(hard) ? 65_536 : hard);
  const prof = profDir ? `--cpu-prof --cpu-prof-interval=100 --cpu-prof-dir="${profDir}"` : '';
  const command = engine === 'c' ? `"${buildCLoad()}"` : `"${process.execPath}" ${prof} "${LOAD}"`;
  const child = spawn('bash', ['-c', `ulimit -n ${want} 2>/dev/null; exec ${command}`], {
    cwd: ROOT,
    stdio: engine === 'c' ? ['pipe', 'pipe', 'inherit'] : ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = [];
  const inbox = [];
  const onMessage = (m) => {
    if (m.type === 'progress') {
      process.stderr.write(`\r  connected ${m.connected}/${m.total}${m.failed ? ` (${m.failed} failed)` : ''}   `);
      return;
    }
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  };
  if (engine === 'c') createInterface({ input: child.stdout }).on('line', (line) => onMessage(JSON.parse(line)));
  else child.on('message', onMessage);
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child,
    nofile: want,
    engine,
    exited,
    send: (m) => (engine === 'c' ? child.stdin.write(`${commandLine(m)}\n`) : child.send(m)),
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
