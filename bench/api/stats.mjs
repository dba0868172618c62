// Percentiles, a seeded PRNG, and progress lines on stderr.

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    n: s.length,
    mean: s.length ? sum / s.length : undefined,
    min: s[0],
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    max: s[s.length - 1],
  };
}

export const median = (xs) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** mulberry32: the same flag sequence on every run and store. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tty = process.stderr.isTTY;

/** Progress of long work on stderr: rewritten in place on a terminal, every ~10% otherwise. */
export function progress(label, total) {
  const t0 = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
  const draw = (done, final) => {
    const secs = (performance.now() - t0) / 1000;
    const line = `  ${label}: ${done}/${total} (${Math.floor((done / total) * 100)}%) ${secs.toFixed(1)} s`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
  return {
    tick(done) {
      if (tty) {
        const now = performance.now();
        if (now - lastDraw > 100 || done === total) {
          lastDraw = now;
          draw(done, false);
        }
      } else {
        const decile = Math.floor((done / total) * 10);
        if (decile !== lastDecile && decile < 10) {
          lastDecile = decile;
          draw(done, false);
        }
      }
    },
    done() {
      draw(total, true);
    },
  };
}

export const note = (msg) => process.stderr.write(`${msg}\n`);
