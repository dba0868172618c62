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

// process.hrtime, not performance.now(): the parent reads hrtime, and on this machine the two
// drift apart by ~0.3 ms per second.
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const send = (m) => process.send?.(m);

const READ_BUFFER = Buffer.alloc(256 * 1024);
const HEAD = 0;
const SIZE = 1;
const DATA = 2;
const CRLF = 3;
const RAW = 4;
const DONE = 5;
const NL = 10;
const CR = 13;
const HEAD_END = Buffer.from('\r\n\r\n');

/** The field names and the event names this bench sees, as bytes: a block is read without strings. */
const bytesOf = (text) => [...Buffer.from(text)];
const ID = bytesOf('id:');
const EVENT = bytesOf('event:');
const DATA_FIELD = bytesOf('data:');
const KNOWN_EVENTS = ['put', 'patch', 'delete', 'message'].map((name) => ({ name, bytes: bytesOf(name) }));

// Plain loops, not Buffer#indexOf/compare: on events of a few hundred bytes a call into C++ costs
// more than the scan it saves.
function startsWithAt(buf, at, end, prefix) {
  if (end - at < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[at + k] !== prefix[k]) return false;
  return true;
}

/** The event name in buf[from, to): an interned string for the known ones. */
function eventName(buf, from, to) {
  for (const e of KNOWN_EVENTS) if (to - from === e.bytes.length && startsWithAt(buf, from, to, e.bytes)) return e.name;
  return buf.toString('utf8', from, to);
}

/**
 * One SSE stream over a raw socket: parses the HTTP response head, de-chunks the body and splits
 * it into SSE blocks, all on bytes (the load process reads 10,000 streams on the same two cores as
 * the servers it measures: every microsecond it spends per event is taken from them). Every block
 * finished by one read gets that read's entry time.
 */
export class SseConnection {
  state = HEAD;
  head = null;
  size = 0;
  sizeDigits = 0;
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
      onread: { buffer: READ_BUFFER, callback: (n, buf) => this.#data(buf, n) },
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

  #fail(error) {
    this.error = error;
    this.state = DONE;
    this.socket.destroy();
  }

  #data(buf, n) {
    const at = nowMs();
    let i = 0;
    if (this.state === HEAD) {
      const all = this.head ? Buffer.concat([this.head, buf.subarray(0, n)]) : buf.subarray(0, n);
      const end = all.indexOf(HEAD_END);
      if (end < 0) {
        this.head = Buffer.from(all);
        return;
      }
      this.head = null;
      const headText = all.toString('latin1', 0, end);
      this.status = Number(headText.slice(9, 12));
      if (this.status !== 200) {
        this.#fail(`HTTP ${this.status}: ${all.toString('utf8', end + 4, end + 300).replace(/\s+/g, ' ')}`);
        return;
      }
      this.state = /\r\ntransfer-encoding:\s*chunked/i.test(headText) ? SIZE : RAW;
      this.onOpen?.(this);
      buf = all;
      n = all.length;
      i = end + 4;
    }
    while (i < n) {
      switch (this.state) {
        case RAW:
          this.#body(buf, i, n, at);
          i = n;
          break;
        case SIZE: {
          // Hex digits up to the line's end (a ';' extension, if any, is skipped with the rest).
          for (; i < n; i++) {
            const b = buf[i];
            if (b === NL) break;
            if (this.sizeDigits < 0 || b === CR) continue;
            const d = b >= 48 && b <= 57 ? b - 48 : (b | 32) >= 97 && (b | 32) <= 102 ? (b | 32) - 87 : -1;
            if (d < 0) {
              if (b === 59 /* ';' */ && this.sizeDigits > 0) this.sizeDigits = -this.sizeDigits;
              else return this.#fail('bad chunk size');
            } else {
              this.size = this.size * 16 + d;
              this.sizeDigits++;
            }
          }
          if (i >= n) break;
          i++; // the '\n'
          if (this.sizeDigits === 0) return this.#fail('bad chunk size');
          const size = this.size;
          this.size = 0;
          this.sizeDigits = 0;
          if (size === 0) {
            this.state = DONE;
            return;
          }
          this.remaining = size;
          this.state = DATA;
          break;
        }
        case DATA: {
          const take = Math.min(this.remaining, n - i);
          this.#body(buf, i, i + take, at);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = CRLF;
            this.crlfLeft = 2;
          }
          break;
        }
        case CRLF: {
          const skip = Math.min(this.crlfLeft, n - i);
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

  /** SSE blocks end with a blank line; what is left of a block after a read is copied, not viewed. */
  #body(bytes, from, to, at) {
    let buf = bytes;
    let start = from;
    let search = from;
    let end = to;
    if (this.partial) {
      buf = Buffer.concat([this.partial, bytes.subarray(from, to)]);
      search = Math.max(0, this.partial.length - 1);
      start = 0;
      end = buf.length;
      this.partial = null;
    }
    for (let k = search; k + 1 < end; k++) {
      if (buf[k] !== NL || buf[k + 1] !== NL) continue;
      this.#block(buf, start, k, at);
      start = k + 2;
      k++;
    }
    if (start < end) this.partial = Buffer.from(buf.subarray(start, end));
  }

  /** Reads the id and event fields of one block; the data is handed on as a byte range. */
  #block(buf, start, end, at) {
    if (buf[start] === 58 /* ':' */) {
      this.comments++;
      return;
    }
    let event = 'message';
    let id;
    let dataAt = -1;
    for (let line = start; line < end; ) {
      let eol = line;
      while (eol < end && buf[eol] !== NL) eol++;
      if (startsWithAt(buf, line, eol, ID)) {
        let v = 0;
        let digits = 0;
        for (let k = line + ID.length; k < eol; k++) {
          const b = buf[k];
          if (b >= 48 && b <= 57) {
            v = v * 10 + (b - 48);
            digits++;
          }
        }
        id = digits > 0 ? v : undefined;
      } else if (startsWithAt(buf, line, eol, EVENT)) {
        let from = line + EVENT.length;
        if (buf[from] === 32) from++;
        event = eventName(buf, from, eol);
      } else if (startsWithAt(buf, line, eol, DATA_FIELD)) {
        dataAt = line + DATA_FIELD.length; // the rest of the block is data
        break;
      }
      line = eol + 1;
    }
    if (id !== undefined) this.lastId = id;
    this.events++;
    this.onEvent?.(this, event, id, at, buf, dataAt, end);
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
    send({
      type: 'round',
      round: r.id,
      times,
      missing,
      events: r.events,
      ids: Object.fromEntries(r.ids),
      closedDuring: r.closedDuring,
    });
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
    round.ids.set(id, (round.ids.get(id) ?? 0) + 1);
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
      round = { id: m.round, got, awaiting, events: {}, ids: new Map(), closedDuring: 0 };
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
