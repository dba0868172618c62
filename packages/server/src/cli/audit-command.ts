import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ChainReport, UnknownChainError, type VerifyProgress, verifyAuditChains } from '../audit/verify.js';
import type { Config } from '../config.js';
import { openStore } from '../infra/sql/open.js';

const USAGE = `Usage: vexil audit verify [--project KEY] [--batch N]

Walks every audit chain (or one project's) and recomputes its hashes. Exits 0 when every chain is
intact, 1 when one was tampered with (naming the chain, seq and reason), 2 on usage or store errors.
Uses DATABASE_URL, else the embedded store in VEXIL_DATA_DIR / --data (stop the server first).`;

/** How often a non-TTY run reports progress. */
const PROGRESS_EVERY = 100_000;

export interface AuditCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** A terminal gets a redrawn progress line instead of one line per 100k events. */
  tty: boolean;
  writeErr: (chunk: string) => void;
}

const processIo = (): AuditCommandIo => ({
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  tty: Boolean(process.stderr.isTTY),
  writeErr: (c) => process.stderr.write(c),
});

export async function auditCommand(args: string[], config: Config, io: AuditCommandIo = processIo()): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') {
    io.err(USAGE);
    return 2;
  }
  const projectKey = option(rest, '--project');
  if (projectKey === undefined && rest.some((a) => a === '--project' || a.startsWith('--project='))) {
    io.err('--project needs a project key');
    return 2;
  }
  const batch = option(rest, '--batch');
  const batchSize = batch === undefined ? undefined : Number(batch);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    io.err('--batch must be a positive integer');
    return 2;
  }
  if (!config.databaseUrl && !existsSync(join(config.dataDir, 'PG_VERSION'))) {
    io.err(`No embedded store at ${config.dataDir} (set DATABASE_URL, VEXIL_DATA_DIR or --data).`);
    return 2;
  }
  const store = config.databaseUrl ? 'PostgreSQL' : `embedded store in ${config.dataDir}`;
  const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    io.out(`Verifying audit chains${projectKey === undefined ? '' : ` of project ${projectKey}`} (${store})…`);
    let nextLine = PROGRESS_EVERY;
    let lastDraw = 0;
    const onProgress = (p: VerifyProgress) => {
      if (io.tty) {
        const now = performance.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        io.writeErr(
          `\r${bar(p.checked, p.total)} ${p.checked.toLocaleString('en')} / ${p.total.toLocaleString('en')} events  ${chainName(p.chain, p.projectKey)}\x1b[K`,
        );
      } else if (p.checked >= nextLine) {
        while (nextLine <= p.checked) nextLine += PROGRESS_EVERY;
        io.err(`  … ${p.checked.toLocaleString('en')} of ~${p.total.toLocaleString('en')} events checked`);
      }
    };
    const report = await verifyAuditChains(db, { projectKey, onProgress, ...(batchSize ? { batchSize } : {}) });
    if (io.tty) io.writeErr('\r\x1b[K');
    for (const c of report.chains) io.out(describe(c));
    const bad = report.chains.filter((c) => c.issue);
    const secs = (report.ms / 1000).toFixed(1);
    io.out(
      `${report.chains.length} chain${report.chains.length === 1 ? '' : 's'}, ${report.events.toLocaleString('en')} events checked in ${secs} s: ` +
        (bad.length === 0
          ? 'intact.'
          : `${bad.length} tampered (${bad.map((c) => chainName(c.chain, c.projectKey)).join(', ')}).`),
    );
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof UnknownChainError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  } finally {
    await db.close();
  }
}

const chainName = (chain: string, key: string | undefined) =>
  chain === '' ? 'installation' : key !== undefined ? `project ${key}` : `deleted project ${chain}`;

function describe(c: ChainReport): string {
  const name = chainName(c.chain, c.projectKey);
  if (!c.issue) return `  ok        ${name}: ${c.events.toLocaleString('en')} events`;
  return `  TAMPERED  ${name} at seq ${c.issue.seq}: ${c.issue.reason}: ${c.issue.detail}`;
}

function bar(done: number, total: number): string {
  const width = 30;
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
