// Starts, watches and stops the real `vexil` server (packages/server/dist/main.js) as a child process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { machineTicks, NCPU, processTicks, TICK_MS } from './cpu.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../packages/server/dist/main.js', import.meta.url));
export const ADMIN_PASSWORD = 'vexil-bench-password-1';

/** Every server child still running, so an interrupted benchmark leaves none behind. */
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** SIGTERM to every server child still running, then wait for them (SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 5000) {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** A port the kernel just handed out and released (the server binds it a moment later). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The environment the child gets: ours minus anything that would change which store or port it uses. */
function childEnv(databaseUrl, extra) {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'VEXIL_DATA_DIR', 'PORT', 'HOST', 'VEXIL_PUBLIC_URL', 'VEXIL_ROLE', 'REDIS_URL'])
    delete env[k];
  env.VEXIL_ADMIN_PASSWORD = ADMIN_PASSWORD;
  env.VEXIL_ADMIN_EMAIL = 'admin@vexil.local';
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return { ...env, ...extra };
}

/** One GET /health; resolves true on a 200, false on anything else (refused, reset, other status). */
function healthOnce(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * Spawns the server and resolves once it is ready: the "Vexil is ready" line was printed AND a
 * GET /health answered 200. `readyMs` is measured from just before spawn() to the later of the two.
 * nodeArgs go before the script (e.g. --cpu-prof, --import a tracer).
 */
export async function startServer({ dataDir, databaseUrl, nodeArgs = [], env = {}, timeoutMs = 60_000, pollMs = 5 }) {
  const port = await freePort();
  const args = [...nodeArgs, MAIN, '--port', String(port), '--data', dataDir];
  const m0 = machineTicks();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv(databaseUrl, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnedMs = performance.now() - t0;
  children.add(child);
  child.once('exit', () => children.delete(child));
  const out = [];
  const err = [];
  let token;
  let readyLineMs;
  let reportedMs;
  let exited;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const at = performance.now() - t0;
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      out.push(line);
      const ready = /Vexil is ready at \S+ \(.*, (\d+) ms\)/.exec(line);
      if (ready && readyLineMs === undefined) {
        readyLineMs = at;
        reportedMs = Number(ready[1]);
      }
      const tok = /API token\s+(vxa_\S+)/.exec(line);
      if (tok) token = tok[1];
      nl = buf.indexOf('\n');
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    err.push(chunk);
    if (err.length > 200) err.splice(0, err.length - 200);
  });

  const deadline = t0 + timeoutMs;
  let healthMs;
  while (healthMs === undefined) {
    if (exited) break;
    if (performance.now() > deadline) break;
    if (await healthOnce(port)) healthMs = performance.now() - t0;
    else await sleep(pollMs);
  }
  // The health check may win the race against the stdout pipe by a hair: wait for the line too.
  while (healthMs !== undefined && readyLineMs === undefined && !exited && performance.now() < deadline) await sleep(1);
  // CPU used by other processes while this server started (its own and ours subtracted), in cores.
  const wall = performance.now() - t0;
  const m1 = machineTicks();
  const machine = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * NCPU;
  const own = (processTicks(child.pid) * TICK_MS) / wall;
  const cu = process.cpuUsage(c0);
  const othersCores = Math.max(0, machine - own - (cu.user + cu.system) / 1000 / wall);
  const server = {
    child,
    othersCores: Math.round(othersCores * 100) / 100,
    ownCores: Math.round(own * 100) / 100,
    pid: child.pid,
    port,
    base: `http://127.0.0.1:${port}`,
    stdout: out,
    stderrTail: () => err.join('').slice(-4000),
    get token() {
      return token;
    },
    exit,
    spawnedMs,
    readyLineMs,
    healthMs,
    /** The server's own figure from its ready line (from main() start, so without Node's boot and imports). */
    reportedMs,
    readyMs: healthMs === undefined || readyLineMs === undefined ? undefined : Math.max(healthMs, readyLineMs),
  };
  if (server.readyMs === undefined) {
    child.kill('SIGKILL');
    await exit;
    throw new Error(
      `server did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : `timeout ${timeoutMs} ms`})\n` +
        `stdout:\n${out.join('\n')}\nstderr (tail):\n${server.stderrTail()}`,
    );
  }
  return server;
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves with how it ended and how long it took. */
export async function stopServer(server, graceMs = 15_000) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return { alreadyExited: true };
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      resolve('SIGKILL');
    }, graceMs);
  });
  const how = await Promise.race([server.exit, killed]);
  clearTimeout(timer);
  await server.exit;
  return { ms: performance.now() - t0, forced: how === 'SIGKILL', exit: await server.exit };
}

/** VmRSS, VmHWM, RssAnon, RssFile of a process, in MiB (Linux /proc). */
export function memoryOf(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) / 1024 : undefined;
  };
  return {
    rssMiB: kib('VmRSS'),
    peakRssMiB: kib('VmHWM'),
    anonMiB: kib('RssAnon'),
    fileMiB: kib('RssFile'),
    shmemMiB: kib('RssShmem'),
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
