// A minimal JSON client over HTTP/1.1 keep-alive (node:http), timing each request from the client's side.
import http from 'node:http';

export class ApiError extends Error {}

export function createClient({ base, token, sockets = 8 }) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'lifo' });

  /**
   * One request. Resolves { status, body, ms } where ms runs from just before the request is
   * issued to the last byte of the response body (the body is read, not parsed, within the timing).
   */
  function call(method, path, body) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request({ host: url.hostname, port: url.port, path, method, headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode, body: parsed, ms, reused: req.reusedSocket });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.end(payload);
      else req.end();
    });
  }

  /** Like call(), but any status other than `expect` is an error with the response in its message. */
  async function must(expect, method, path, body) {
    const r = await call(method, path, body);
    if (r.status !== expect)
      throw new ApiError(`${method} ${path} answered ${r.status}, expected ${expect}: ${JSON.stringify(r.body)}`);
    return r;
  }

  return { call, must, close: () => agent.destroy() };
}
