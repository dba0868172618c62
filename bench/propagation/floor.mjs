#!/usr/bin/env node
// The floor for bench/propagation on this machine: what the same fan-out costs with no Vexil,
// no Fastify, no ServerResponse and no Redis in the way. Two bare `net` servers (one process each,
// like the two stream nodes) answer GET /sdk/v1/stream with an SSE head and a put, and on a
// broadcast write ONE pre-encoded chunk Buffer to each of their sockets; the same load process
// (load.mjs) holds the N streams and timestamps each receipt. The figures are receipt − the moment
// the parent sent the broadcast, so they include the IPC hop to the servers (≪ 1 ms).
//
//   node bench/propagation/floor.mjs [--n=10000] [--changes=10] [--quiet-wait=600] [--load=c|node]
import { fork } from 'node:child_process';
import net from 'node:net';
import { cpuMs, log, machineBusyMs, nowMs, sleep, summary, table, waitQuiet } from './cluster.mjs';
import { startLoad } from './load-control.mjs';

const chunk = (s) => {
  const body = Buffer.from(s);
  return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
};

if (process.argv[2] === 'server') {
  // One bare SSE server.
  const sockets = new Set();
  const HEAD = Buffer.from(
    'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n',
  );
  const put = chunk('id: 1\nevent: put\ndata: {"environmentId":"floor","seq":1,"flags":{},"segments":{}}\n\n');
  const server = net.createServer({ noDelay: true }, (socket) => {
    let head = '';
    const onData = (b) => {
      head += b.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.write(Buffer.concat([HEAD, put]));
      sockets.add(socket);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
  process.on('message', (m) => {
    if (m.type !== 'broadcast') return;
    const t0 = nowMs();
    const frame = chunk(
      `id: ${m.seq}\nevent: patch\ndata: ${JSON.stringify({ kind: 'flag', key: 'bench-propagation', version: m.seq, data: m.payload })}\n\n`,
    );
    for (const s of sockets) s.write(frame);
    process.send({ type: 'sent', loopMs: nowMs() - t0, sockets: sockets.size });
  });
  process.on('disconnect', () => process.exit(0));
} else {
  const args = Object.fromEntries(
    process.argv.slice(2).map((a) => {
      const [k, v] = a.replace(/^--/, '').split('=');
      return [k, v ?? true];
    }),
  );
  const N = Number(args.n ?? 10_000);
  const CHANGES = Number(args.changes ?? 10);
  const servers = [];
  for (let i = 0; i < 2; i++) {
    const child = fork(new URL(import.meta.url).pathname, ['server'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise((r) => child.once('message', (m) => r(m.port)));
    servers.push({ child, port });
  }
  const load = startLoad({ engine: String(args.load ?? 'c') });
  try {
    await load.next('hello', 10_000);
    if (Number(args['quiet-wait'] ?? 600) > 0)
      await waitQuiet({ maxWaitS: Number(args['quiet-wait'] ?? 600), label: 'floor: ' });
    const perNode = [Math.ceil(N / 2), Math.floor(N / 2)];
    load.send({
      type: 'connect',
      targets: servers.map((s, i) => ({ port: s.port, count: perNode[i] })),
      key: 'floor',
      concurrency: 200,
    });
    const conn = await load.next('connected', 600_000);
    process.stderr.write('\n');
    log(`  ${conn.connected}/${conn.total} streams open`);
    await sleep(2000);
    // A payload the size of a real patch of one flag.
    const payload = {
      key: 'bench-propagation',
      version: 1,
      kind: 'boolean',
      on: true,
      variations: [{ value: true }, { value: false }],
      offVariation: 1,
      fallthrough: { variation: 0 },
      rules: [],
      targets: [],
      clientVisible: true,
    };
    const all = [];
    const cpu0 = [...servers.map((s) => cpuMs(s.child.pid)), cpuMs(load.child.pid), machineBusyMs()];
    const t0 = nowMs();
    for (let r = -1; r < CHANGES; r++) {
      load.send({ type: 'arm', round: r, timeoutMs: 20_000 });
      await load.next('armed');
      const sent = nowMs();
      for (const s of servers) s.child.send({ type: 'broadcast', seq: r + 2, payload });
      const res = await load.next('round', 30_000);
      const d = res.times.map((x) => x - sent);
      const s = summary(d);
      log(
        `  ${r < 0 ? 'warm-up' : `broadcast ${r + 1}/${CHANGES}`}: ${res.times.length} received${res.missing ? `, ${res.missing} MISSING` : ''}; p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms`,
      );
      if (r >= 0) all.push(...d);
      await sleep(1000);
    }
    const wall = nowMs() - t0;
    const cpu1 = [...servers.map((s) => cpuMs(s.child.pid)), cpuMs(load.child.pid), machineBusyMs()];
    const per = CHANGES + 1;
    const s = summary(all);
    const ours = [0, 1, 2].reduce((a, i) => a + cpu1[i] - cpu0[i], 0);
    console.log(
      `\nFloor (bare net servers, one pre-encoded Buffer per socket), N = ${N.toLocaleString('en-US')}, ${CHANGES} broadcasts`,
    );
    console.log(
      table(
        ['N', 'p50 ms', 'p99 ms', 'max ms', 'CPU/broadcast server A', 'server B', 'load process', 'other processes'],
        [
          [
            N.toLocaleString('en-US'),
            s.p50.toFixed(1),
            s.p99.toFixed(1),
            s.max.toFixed(1),
            ((cpu1[0] - cpu0[0]) / per).toFixed(1),
            ((cpu1[1] - cpu0[1]) / per).toFixed(1),
            ((cpu1[2] - cpu0[2]) / per).toFixed(1),
            ((cpu1[3] - cpu0[3] - ours) / per).toFixed(1),
          ],
        ],
      ),
    );
    console.log(`(receipt − the parent's broadcast message; ${(wall / 1000).toFixed(0)} s)`);
    load.send({ type: 'close' });
    await load.next('closed', 30_000);
  } finally {
    await Promise.race([load.exited, sleep(3000)]);
    if (load.child.exitCode === null) load.child.kill('SIGTERM');
    for (const s of servers) s.child.kill('SIGTERM');
  }
}
