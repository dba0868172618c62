// The load process of bench/propagation: holds N server-sent-event streams (GET /sdk/v1/stream)
// on raw TCP sockets and timestamps, per connection, the first event after each "arm" from the
// parent. Driven over the IPC channel; times are CLOCK_MONOTONIC ms (process.hrtime), the same
// clock the parent reads, so receipt − API answer needs no clock alignment.
//
// parent → child: {type:'connect', targets:[{port,count}], key, concurrency}
//                 {type:'arm', round, timeoutMs}   {type:'close'}   {type:'clock', t}
// child → parent: {type:'progress', connected, failed, total}  {type:'connected', …}
//                 {type:'armed', round}   {type:'round', round, times, missing, events, ids}
//                 {type:'clock', parent, child}   {type:'closed', …}
import net from 'node:net';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const send = (m) => process.send?.(m);

const READ_BUFFER = Buffer.alloc(256 * 1024);
const HEAD = 0;
const SIZE = 1;
const DATA = 2;
const CRLF = 3;
const RAW = 4;
const DONE = 5;

/**
 * One SSE stream over a raw socket: parses the HTTP response head, de-chunks the body and splits
 * it into SSE blocks. Every block finished by one 'data' callback gets that callback's entry time.
 */
export class SseConnection {
  state = HEAD;
  head = null;
  sizeLine = '';
  remaining = 0;
  crlfLeft = 0;
  partial = null;
  status = 0;
  events = 0;
  comments = 0;
  lastId = undefined;
  error = undefined;
  closed = false;

  constructor({ port, host = '127.0.0.1', path, headers, onEvent, onOpen, onClose }) {
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onClose = onClose;
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${host}:${port}`,
      'Accept: text/event-stream',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    const request = `${lines.join('\r\n')}\r\n\r\n`;
    // onread: reads land in one shared buffer and call back directly, without a Buffer and a
    // stream 'data' event per read (what is kept past the callback is copied).
    this.socket = net.connect({
      port,
      host,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n, buf) => {
          this.#data(buf.subarray(0, n));
        },
      },
    });
    this.socket.on('connect', () => this.socket.write(request));
    this.socket.on('error', (e) => {
      this.error ??= e.code ?? e.message;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.onClose?.(this);
    });
  }

  close() {
    this.socket.destroy();
  }

  #data(buf) {
    const at = nowMs();
    let i = 0;
    if (this.state === HEAD) {
      const all = this.head ? Buffer.concat([this.head, buf]) : buf;
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        this.head = Buffer.from(all);
        return;
      }
      this.head = null;
      const headText = all.toString('latin1', 0, end);
      this.status = Number(headText.slice(9, 12));
      if (this.status !== 200) {
        this.error = `HTTP ${this.status}: ${all.toString('utf8', end + 4, end + 300).replace(/\s+/g, ' ')}`;
        this.state = DONE;
        this.socket.destroy();
        return;
      }
      this.state = /\r\ntransfer-encoding:\s*chunked/i.test(headText) ? SIZE : RAW;
      this.onOpen?.(this);
      buf = all;
      i = end + 4;
    }
    while (i < buf.length) {
      switch (this.state) {
        case RAW:
          this.#body(buf.subarray(i), at);
          i = buf.length;
          break;
        case SIZE: {
          const nl = buf.indexOf(10, i);
          if (nl < 0) {
            this.sizeLine += buf.toString('latin1', i);
            i = buf.length;
            break;
          }
          this.sizeLine += buf.toString('latin1', i, nl);
          i = nl + 1;
          const n = Number.parseInt(this.sizeLine, 16); // stops at ';' extensions and the '\r'
          this.sizeLine = '';
          if (!(n >= 0)) {
            this.error = 'bad chunk size';
            this.state = DONE;
            this.socket.destroy();
            return;
          }
          if (n === 0) {
            this.state = DONE;
            return;
          }
          this.remaining = n;
          this.state = DATA;
          break;
        }
        case DATA: {
          const take = Math.min(this.remaining, buf.length - i);
          this.#body(buf.subarray(i, i + take), at);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = CRLF;
            this.crlfLeft = 2;
          }
          break;
        }
        case CRLF: {
          const skip = Math.min(this.crlfLeft, buf.length - i);
          i += skip;
          this.crlfLeft -= skip;
          if (this.crlfLeft === 0) this.state = SIZE;
          break;
        }
        default:
          return;
      }
    }
  }

  /**
   * SSE blocks end with a blank line. Parsing stays on bytes: only the first line(s) of a block,
   * up to `data:`, are decoded (latin1 is exact for the ASCII field names, ids and event names),
   * so a client costs little CPU per event and does not skew the timing of the others.
   */
  #body(bytes, at) {
    let buf = bytes;
    let from = 0;
    if (this.partial) {
      from = Math.max(0, this.partial.length - 1);
      buf = Buffer.concat([this.partial, bytes]);
      this.partial = null;
    }
    let start = 0;
    for (;;) {
      const end = buf.indexOf('\n\n', from);
      if (end < 0) break;
      this.#block(buf, start, end, at);
      start = end + 2;
      from = start;
    }
    // Keep a copy, not a view: a view would pin the whole read buffer.
    if (start < buf.length) this.partial = Buffer.from(buf.subarray(start));
  }

  #block(buf, start, end, at) {
    if (buf[start] === 58 /* ':' */) {
      this.comments++;
      return;
    }
    let dataAt = buf.indexOf('data:', start);
    if (dataAt < 0 || dataAt > end) dataAt = end;
    const head = buf.toString('latin1', start, dataAt);
    let event = 'message';
    let id;
    for (const line of head.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('id:')) id = line.slice(3).trim();
    }
    if (id !== undefined) this.lastId = id;
    this.events++;
    this.onEvent?.(this, event, id, at, buf, dataAt < end ? dataAt + 5 : -1, end);
  }
}

// ---- the process: only when started by the parent -------------------------------------------

if (process.send) {
  const conns = [];
  let connected = 0;
  let failed = 0;
  let total = 0;
  const errors = new Map();
  let unexpectedCloses = 0;
  let closing = false;
  /** The round in progress: receipt time per connection index (NaN = not yet). */
  let round;

  const finishRound = () => {
    if (!round) return;
    const r = round;
    round = undefined;
    clearTimeout(r.timer);
    const times = [];
    let missing = 0;
    for (let i = 0; i < r.got.length; i++) {
      const t = r.got[i];
      if (Number.isNaN(t)) missing++;
      else if (t !== Number.NEGATIVE_INFINITY) times.push(t); // -Infinity: not open, not waited for
    }
    send({ type: 'round', round: r.id, times, missing, events: r.events, ids: r.ids, closedDuring: r.closedDuring });
  };

  const onEvent = (c, event, id, at) => {
    if (c.ready !== true) {
      if (event === 'put') {
        c.ready = true;
        connected++;
        c.pending?.();
      }
      return;
    }
    if (!round || !Number.isNaN(round.got[c.index])) return;
    round.got[c.index] = at;
    round.events[event] = (round.events[event] ?? 0) + 1;
    const k = String(id);
    round.ids[k] = (round.ids[k] ?? 0) + 1;
    if (--round.awaiting === 0) finishRound();
  };

  const onClose = (c) => {
    if (closing) return;
    if (c.ready === true) {
      unexpectedCloses++;
      if (round && Number.isNaN(round.got[c.index])) {
        round.closedDuring++;
        if (--round.awaiting === 0) finishRound();
      }
    }
    c.pending?.();
  };

  async function connectAll({ targets, key, concurrency }) {
    const started = nowMs();
    // Interleave the targets so that both nodes fill up together.
    const order = [];
    const per = targets.map((t) => ({ port: t.port, left: t.count }));
    const want = targets.reduce((n, t) => n + t.count, 0);
    while (order.length < want) for (const p of per) if (p.left-- > 0) order.push(p.port);
    total = order.length;
    let next = 0;
    let lastProgress = 0;
    const progress = (force) => {
      const t = nowMs();
      if (!force && t - lastProgress < 250) return;
      lastProgress = t;
      send({ type: 'progress', connected, failed, total });
    };
    await new Promise((resolveAll) => {
      let inflight = 0;
      const pump = () => {
        while (inflight < concurrency && next < order.length) {
          const index = conns.length;
          const port = order[next++];
          inflight++;
          let done = false;
          const c = new SseConnection({
            port,
            path: '/sdk/v1/stream',
            headers: { Authorization: key },
            onEvent,
            onClose,
          });
          c.index = index;
          c.port = port;
          c.pending = () => {
            if (done) return;
            done = true;
            c.pending = undefined;
            inflight--;
            if (c.ready !== true) {
              failed++;
              const e = c.error ?? 'closed before put';
              errors.set(e, (errors.get(e) ?? 0) + 1);
            }
            progress(false);
            if (next >= order.length && inflight === 0) resolveAll();
            else pump();
          };
          conns.push(c);
        }
      };
      pump();
      if (order.length === 0) resolveAll();
    });
    progress(true);
    send({ type: 'connected', connected, failed, total, ms: nowMs() - started, errors: Object.fromEntries(errors) });
  }

  process.on('message', (m) => {
    if (m.type === 'connect') void connectAll(m);
    else if (m.type === 'clock') send({ type: 'clock', parent: m.t, child: nowMs() });
    else if (m.type === 'arm') {
      finishRound();
      const got = new Float64Array(conns.length).fill(Number.NaN);
      let awaiting = 0;
      for (const c of conns) {
        if (c.ready === true && !c.closed) awaiting++;
        else got[c.index] = Number.NEGATIVE_INFINITY; // not open: neither waited for nor missing
      }
      round = { id: m.round, got, awaiting, events: {}, ids: {}, closedDuring: 0 };
      round.timer = setTimeout(finishRound, m.timeoutMs ?? 20_000);
      send({ type: 'armed', round: m.round, awaiting });
    } else if (m.type === 'close') {
      closing = true;
      finishRound();
      let open = 0;
      for (const c of conns) {
        if (!c.closed) open++;
        c.close();
      }
      send({ type: 'closed', open, unexpectedCloses, heartbeats: conns.reduce((n, c) => n + c.comments, 0) });
      setTimeout(() => process.exit(0), 200);
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'hello', pid: process.pid });
}
