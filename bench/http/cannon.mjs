// One autocannon measurement in its own process (its own CPU, away from the parent's timers):
// a warm-up whose figures are dropped, then the measured run. Driven over IPC by bench/http/run.mjs.
//   parent → {url, method, headers, body, connections, pipelining, warmupS, durationS}
//   child  → {type:'measure-start'}, {type:'measure-end'}, {type:'result', result}
import autocannon from 'autocannon';

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

process.once('message', async (cfg) => {
  try {
    const base = {
      url: cfg.url,
      method: cfg.method ?? 'GET',
      headers: cfg.headers ?? {},
      ...(cfg.body === undefined ? {} : { body: cfg.body }),
      connections: cfg.connections,
      pipelining: cfg.pipelining ?? 1,
      timeout: 10,
    };
    if (cfg.warmupS > 0) await run({ ...base, duration: cfg.warmupS });
    process.send({ type: 'measure-start' });
    const r = await run({ ...base, duration: cfg.durationS });
    process.send({ type: 'measure-end' });
    const pick = (h) => ({
      average: h.average,
      mean: h.mean,
      stddev: h.stddev,
      min: h.min,
      max: h.max,
      p50: h.p50,
      p90: h.p90,
      p99: h.p99,
      p99_9: h.p99_9,
      total: h.total,
    });
    process.send({
      type: 'result',
      result: {
        autocannon: autocannon.version ?? undefined,
        durationS: r.duration,
        requests: pick(r.requests),
        latency: pick(r.latency),
        throughput: pick(r.throughput),
        statusCodeStats: r.statusCodeStats,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
        resets: r.resets,
        mismatches: r.mismatches,
        connections: r.connections,
        pipelining: r.pipelining,
        sampleInt: r.sampleInt,
        start: r.start,
        finish: r.finish,
      },
    });
    setTimeout(() => process.exit(0), 50);
  } catch (err) {
    process.send({ type: 'error', error: String(err?.stack ?? err) });
    setTimeout(() => process.exit(1), 50);
  }
});
