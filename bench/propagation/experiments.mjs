// A/B experiments for proposed server changes, applied to a bench/propagation node only when
// VEXIL_BENCH_EXPERIMENT names them (run.mjs --experiment=…). Never the product's behaviour:
// they exist to measure what a proposed fix in packages/server would gain before anyone writes it.
//
// prebuilt-chunks: SseClient.send writes each change as ONE pre-encoded Buffer, the complete
//   HTTP/1.1 chunk (`<hex length>\r\n<frame>\r\n`), straight to the socket, encoded once per frame
//   for all subscribers. Today every subscriber costs ServerResponse.write(string): a UTF-8 encode of
//   the frame, a chunk-size string, a cork, a process.nextTick uncork and a three-buffer writev.
import { SseClient } from '../../packages/server/dist/dataplane/sse.js';

export function applyExperiments(names) {
  const applied = [];
  for (const name of names) {
    if (name === 'prebuilt-chunks') {
      const original = SseClient.prototype.send;
      let lastFrame;
      let lastChunk;
      SseClient.prototype.send = function send(frame) {
        const res = this.res;
        const socket = res.socket;
        // The first write (the put) also sends the response head: leave it to ServerResponse.
        if (this.closed || !socket || !res._headerSent || !res.chunkedEncoding) return original.call(this, frame);
        if (socket.writableLength > this.opts.maxBufferedBytes) {
          this.slow = true;
          this.close();
          return;
        }
        if (frame !== lastFrame) {
          const body = Buffer.from(frame, 'utf8');
          lastChunk = Buffer.concat([
            Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1'),
            body,
            Buffer.from('\r\n', 'latin1'),
          ]);
          lastFrame = frame;
        }
        socket.write(lastChunk);
      };
      applied.push(name);
    } else {
      throw new Error(`unknown experiment ${name}`);
    }
  }
  return applied;
}
