import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff } from '../src/data-source/backoff.js';
import { type SseMessage, SseParser } from '../src/data-source/sse-parser.js';
import { EventQueue } from '../src/events/event-queue.js';

function parse(chunks: string[]) {
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const p = new SseParser({
    event: (e) => events.push(e),
    comment: (c) => comments.push(c),
    retry: (ms) => retries.push(ms),
  });
  for (const c of chunks) p.feed(c);
  return { events, comments, retries, parser: p };
}

const STREAM =
  '\uFEFF: hello\r\n\r\nid: 7\nevent: put\ndata: {"a":1}\n\n' +
  'event: patch\r\ndata: line one\r\ndata:line two\r\r' +
  'data\n\n' +
  'id: 9\rretry: 1500\revent: delete\rdata: {"k":"x"}\r\r' +
  ': ping\n\n' +
  'event: no-data\nid: 10\n\n' +
  'data: tail';

describe('SSE parser', () => {
  test('LF, CRLF and CR line ends; multi-line data; comments; ids persist; incomplete tail dropped', () => {
    const { events, comments, retries, parser } = parse([STREAM]);
    assert.deepEqual(
      events.map((e) => [e.event, e.data, e.id, e.lastEventId]),
      [
        ['put', '{"a":1}', '7', '7'],
        ['patch', 'line one\nline two', undefined, '7'],
        ['message', '', undefined, '7'],
        ['delete', '{"k":"x"}', '9', '9'],
      ],
    );
    assert.deepEqual(comments, [' hello', ' ping']);
    assert.deepEqual(retries, [1500]);
    assert.equal(parser.lastEventId, '10', 'an id on an event without data still sets the last event ID');
  });

  test('the same events whatever the chunking (every split point, and one character at a time)', () => {
    const whole = parse([STREAM]).events;
    for (let i = 0; i <= STREAM.length; i++)
      assert.deepEqual(parse([STREAM.slice(0, i), STREAM.slice(i)]).events, whole, `split at ${i}`);
    assert.deepEqual(parse([...STREAM]).events, whole);
  });

  test('an event or line beyond the size limit is refused', () => {
    const p = new SseParser({ event: () => {} }, 100);
    assert.throws(() => p.feed(`data: ${'x'.repeat(200)}`), /longer than 100/);
    const q = new SseParser({ event: () => {} }, 100);
    assert.throws(() => {
      for (let i = 0; i < 10; i++) q.feed(`data: ${'x'.repeat(20)}\n`);
    }, /longer than 100/);
  });

  test('reset drops a partial event but keeps the last event ID', () => {
    const events: SseMessage[] = [];
    const p = new SseParser({ event: (e) => events.push(e) });
    p.feed('id: 3\ndata: a\n\nid: 4\ndata: half');
    p.reset();
    p.feed('\n\ndata: b\n\n');
    assert.deepEqual(
      events.map((e) => [e.data, e.lastEventId]),
      [
        ['a', '3'],
        ['b', '3'],
      ],
    );
  });
});

describe('backoff', () => {
  test('doubles up to the cap, with jitter in [half, full) of each step', () => {
    const lo = new Backoff(100, 1000, 60_000, () => 0);
    assert.deepEqual(
      Array.from({ length: 6 }, () => lo.next()),
      [50, 100, 200, 400, 500, 500],
    );
    const random = new Backoff(100, 1000, 60_000);
    for (const step of [100, 200, 400, 800, 1000, 1000, 1000]) {
      const d = random.next();
      assert.ok(d >= step / 2 && d <= step, `${d} within [${step / 2}, ${step}]`);
    }
  });

  test('a connection that stayed up long enough starts the delays over; a short one does not', () => {
    let now = 0;
    const b = new Backoff(
      100,
      10_000,
      1000,
      () => 0,
      () => now,
    );
    b.next();
    b.next();
    b.connected();
    now += 500;
    assert.equal(b.next(), 200, 'short-lived: keeps growing');
    b.connected();
    now += 1000;
    assert.equal(b.next(), 50, 'long-lived: starts over');
  });
});

describe('event queue', () => {
  test('bounded: the oldest are dropped and counted; a failed batch goes back in front', () => {
    const q = new EventQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    assert.equal(q.dropped, 2);
    assert.deepEqual(q.take(10), [3, 4, 5]);
    q.push(6);
    q.push(7);
    q.unshift([3, 4, 5]);
    assert.equal(q.dropped, 4, 'no room for the two oldest of the batch');
    assert.deepEqual(q.take(2), [5, 6]);
    assert.deepEqual(q.take(2), [7]);
    assert.equal(q.length, 0);
  });
});
