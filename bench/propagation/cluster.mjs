// Shared by bench/propagation and bench/http: a throw-away PostgreSQL database, real `vexil`
// server processes (api, stream or all roles) started and stopped by pid, the admin API, and
// /proc readings (RSS, CPU time) of those processes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The real program. */
export const CLI = fileURLToPath(new URL('../../packages/server/dist/main.js', import.meta.url));
/** main.ts with role, Redis bus and Redis cache wired (used only when the CLI does not wire them). */
export const SHIM = fileURLToPath(new URL('./vexil-node.mjs', import.meta.url));

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/5';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** CLOCK_MONOTONIC in ms: the same clock in every process of this machine, so no alignment is needed. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
export const log = (...a) => console.error(...a);

const redact = (url) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** A fresh database `vexil_bench_<hex>` on the server at baseUrl: { url, name, display, version, drop() }. */
export async function freshDatabase(baseUrl = DEFAULT_DATABASE_URL) {
  const admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  await admin.connect().catch((err) => {
    throw new Error(`PostgreSQL at ${redact(baseUrl)} is not reachable: ${err.message}`);
  });
  const name = `vexil_bench_${randomBytes(5).toString('hex')}`;
  let version;
  try {
    version = (await admin.query('SHOW server_version')).rows[0].server_version;
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    version,
    display: redact(url.toString()),
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end().catch(() => {});
      }
    },
  };
}

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
 * Starts one server process and resolves once its "Vexil is ready" line was printed and /health
 * answered. launcher 'cli' runs packages/server/dist/main.js, 'shim' runs bench/propagation/vexil-node.mjs.
 * The admin token is read from stdout ("API token  vxa_…"), printed by the first node on an empty store.
 */
export async function startNode({
  launcher = 'cli',
  role = 'all',
  name = role,
  databaseUrl,
  redisUrl,
  nodeArgs = [],
  env = {},
  timeoutMs = 60_000,
}) {
  const port = await freePort();
  const script = launcher === 'shim' ? SHIM : CLI;
  const childEnv = { ...process.env };
  for (const k of [
    'DATABASE_URL',
    'VEXIL_DATA_DIR',
    'PORT',
    'HOST',
    'VEXIL_PUBLIC_URL',
    'VEXIL_ROLE',
    'REDIS_URL',
    'NODE_OPTIONS',
  ])
    delete childEnv[k];
  if (databaseUrl) childEnv.DATABASE_URL = databaseUrl;
  if (redisUrl) childEnv.REDIS_URL = redisUrl;
  Object.assign(childEnv, env);
  const child = spawn(
    process.execPath,
    [...nodeArgs, script, '--port', String(port), '--host', '127.0.0.1', '--role', role],
    {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out = [];
  const err = [];
  let token;
  let ready = false;
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
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      out.push(line);
      if (/Vexil is ready at/.test(line)) ready = true;
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
  const deadline = performance.now() + timeoutMs;
  let healthy = false;
  while (!exited && performance.now() < deadline) {
    if (!healthy) healthy = await healthOnce(port);
    if (healthy && ready) break;
    await sleep(20);
  }
  // The token line follows the ready line; give the pipe a moment.
  for (let i = 0; i < 50 && healthy && ready && !token && out.length < 3; i++) await sleep(10);
  const node = {
    name,
    role,
    launcher,
    child,
    pid: child.pid,
    port,
    base: `http://127.0.0.1:${port}`,
    stdout: out,
    stderrTail: () => err.join('').slice(-4000),
    get token() {
      return token;
    },
    exit,
  };
  if (!(healthy && ready)) {
    child.kill('SIGKILL');
    await exit;
    throw new Error(
      `${name} did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : `timeout ${timeoutMs} ms`})\nstdout:\n${out.join('\n')}\nstderr (tail):\n${node.stderrTail()}`,
    );
  }
  return node;
}

/** SIGTERM (the server closes and exits, writing a --cpu-prof profile), then SIGKILL after graceMs. */
export async function stopNode(node, graceMs = 15_000) {
  if (!node || node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), graceMs);
  await node.exit;
  clearTimeout(timer);
}

/** VmRSS of a process, in KiB. */
export function rssKiB(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
/** User + system CPU time of a process so far, in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Busy (non-idle, non-iowait) CPU time of the whole machine so far, in ms, from /proc/stat. */
export function machineBusyMs() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // user nice system idle iowait irq softirq steal
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/**
 * Other people's work shares this machine: waits (up to maxWaitS) until the whole machine was at
 * most `threshold` busy over `sampleMs`, while our own processes are idle. Returns what it saw.
 */
export async function waitQuiet({ maxWaitS = 300, threshold = 0.25, sampleMs = 3000, label = '' } = {}) {
  const cores = os.cpus().length;
  const t0 = performance.now();
  let share = 1;
  let said = false;
  for (;;) {
    const b0 = machineBusyMs();
    await sleep(sampleMs);
    share = (machineBusyMs() - b0) / (sampleMs * cores);
    const waitedS = (performance.now() - t0) / 1000;
    if (share <= threshold) {
      if (said) log(`  machine quiet now (${(100 * share).toFixed(0)}% busy) after ${waitedS.toFixed(0)} s`);
      return { quiet: true, busyShare: share, waitedS };
    }
    if (waitedS >= maxWaitS) {
      log(
        `  WARNING: machine still ${(100 * share).toFixed(0)}% busy with other processes after ${waitedS.toFixed(0)} s; measuring anyway (figures will be pessimistic)`,
      );
      return { quiet: false, busyShare: share, waitedS };
    }
    if (!said || Math.round(waitedS) % 30 < sampleMs / 1000) {
      log(
        `  ${label}machine ${(100 * share).toFixed(0)}% busy with other processes; waiting for ≤ ${(100 * threshold).toFixed(0)}% (up to ${maxWaitS} s)`,
      );
      said = true;
    }
  }
}

/** JSON calls to the management API with the admin token (setup only; not timed). */
export function adminApi(base, token) {
  return async function call(method, path, body, headers = {}) {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, headers: res.headers, body: json };
  };
}

/** Creates a server SDK key and a client-side ID for default/production. */
export async function sdkCredentials(call, project = 'default', environment = 'production') {
  const server = await call('POST', `/api/v1/projects/${project}/environments/${environment}/keys`, { kind: 'server' });
  const client = await call('POST', `/api/v1/projects/${project}/environments/${environment}/keys`, { kind: 'client' });
  return { serverKey: server.body.key, clientId: client.body.key };
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function pct(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summary(values) {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    min: s[0],
    p50: pct(s, 50),
    p90: pct(s, 90),
    p99: pct(s, 99),
    max: s[s.length - 1],
    mean: sum / s.length,
  };
}

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    loadavg: os.loadavg(),
  };
}

/** A plain text table with right-aligned columns after the first. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(all[0]), w.map((n) => '-'.repeat(n)).join('  '), ...all.slice(1).map(line)].join('\n');
}
