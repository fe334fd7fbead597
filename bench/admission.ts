/**
 * Admission decisions under load (issue 14's target: a pod with 3 analysed images, p99 ≤ 20 ms
 * at 500 requests/s over TLS, on both stores). The webhook runs in its own process
 * (`admission-server.ts`) so the load generator (autocannon, keep-alive connections as the API
 * server holds them) never shares its event loop; each repetition is one autocannon run at a
 * fixed 500 req/s, and autocannon's own figures are printed with the server's CPU per request.
 * The target is met only when p99 ≤ 20 ms, at least 95 % of the asked rate was answered and no
 * request failed. With ADMISSION_BASE=/path/to/another/checkout the baseline side is the same
 * load against that checkout's webhook (old and new alternate); without it the baseline is idle.
 * The first run of each side is a warm-up (JIT, TLS sessions, caches) and says so; it is not
 * counted. Each line also gives the server's event-loop delay (p99, max) and GC pauses over the
 * run: on a machine shared with other work they show stalls of the webhook itself, where wall
 * latency mostly shows waiting for a core. `ADMISSION_TRACE=1` adds slow queries and query
 * counts on stderr; `ADMISSION_CPU_PROF=dir` writes the servers' CPU profiles there.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { admissionReview } from '../src/admission/test-support.js';
import { BENCH_DIGESTS } from './admission-fixture.js';
import type { Benchmark, MeasureOutcome, PreparedBenchmark } from './types.js';

const RATE = 500;
const SECONDS = 5;
/** Seconds of load before the measured window, not counted (connections, TLS handshakes). */
const WARMUP_SECONDS = 1;
const P99_TARGET_MS = 20;
const MIN_RATE_SHARE = 0.95;
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

/** See `openDatabase` in admission-server.ts: on-disk PGlite is how `serve` runs it. */
type StoreKind = 'PGlite' | 'PGlite (memory)' | 'PostgreSQL 15';

function podReview(): string {
  const containers = BENCH_DIGESTS.map((digest, i) => ({
    name: `c${i}`,
    image: `registry.example/team/app${i}@${digest}`,
    resources: {},
  }));
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { run: 'web' } },
    spec: { containers },
  };
  return JSON.stringify(admissionReview(pod, { namespace: 'default' }));
}

/** The server's own figures since the previous read (bench/admission-server.ts). */
interface ServerSample {
  cpuUs: number;
  loop: { p50: number; p99: number; max: number };
  gc: { totalMs: number; maxMs: number; maxKind: string; heapMiB: number };
}

interface ServerProcess {
  url: string;
  sample(): Promise<ServerSample>;
  stop(): Promise<void>;
}

async function startServer(root: string, kind: StoreKind): Promise<ServerProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [
      ...(process.env['ADMISSION_CPU_PROF']
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env['ADMISSION_CPU_PROF']}`]
        : []),
      '--import',
      'tsx',
      join(HERE, 'admission-server.ts'),
      root,
      kind,
      ...(process.env['ADMISSION_TRACE'] ? ['trace'] : []),
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stderr.pipe(process.stderr);
  const lines: Interface = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await iterator.next();
    if (line.done) throw new Error(`the webhook of ${root} exited`);
    return JSON.parse(line.value as string) as Record<string, unknown>;
  };
  const { url } = (await next()) as { url: string };
  return {
    url,
    async sample() {
      child.stdin.write('cpu\n');
      return (await next()) as unknown as ServerSample;
    },
    async stop() {
      child.stdin.end('stop\n');
      await new Promise((done) => child.once('exit', done));
    },
  };
}

/** The value below which `q` of the sorted values lie (nearest rank). */
function rank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const ms1 = (v: number): string => (Math.round(v * 10) / 10).toString();

async function load(server: ServerProcess, body: string, label: string): Promise<MeasureOutcome> {
  // One autocannon run: the first second opens the keep-alive connections (20 TLS handshakes
  // at once, as when an API server first connects) and is not counted; the API server then
  // keeps them, so the measured window is the SECONDS after it, judged by requests sent in it.
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  let finished!: Promise<autocannon.Result>;
  const instance = autocannon(
    {
      url: server.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 20,
      overallRate: RATE,
      duration: WARMUP_SECONDS + SECONDS,
    },
    (err, result) => {
      finished = err ? Promise.reject(err as Error) : Promise.resolve(result);
      done();
    },
  );
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  let windowFailed = 0;
  let before: Promise<ServerSample> | undefined;
  let after: Promise<ServerSample> | undefined;
  const opened = setTimeout(() => {
    windowStart = performance.now();
    before = server.sample();
  }, WARMUP_SECONDS * 1000);
  const closed = setTimeout(
    () => {
      windowEnd = performance.now();
      after = server.sample();
    },
    (WARMUP_SECONDS + SECONDS) * 1000,
  );
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    const sent = performance.now() - responseTime;
    if (sent < windowStart || sent > windowEnd) return;
    latencies.push(responseTime);
    if (status < 200 || status > 299) windowFailed++;
  });
  await ended;
  const result = await finished;
  clearTimeout(opened);
  clearTimeout(closed);
  const first = await (before ?? server.sample());
  const last = await (after ?? server.sample());
  const cpuMs = (last.cpuUs - first.cpuUs) / 1000;
  latencies.sort((a, b) => a - b);
  const answered = latencies.length;
  const rate = answered / SECONDS;
  const p99 = rank(latencies, 0.99);
  const failed = windowFailed + result.errors + result.timeouts;
  const met = p99 <= P99_TARGET_MS && rate >= RATE * MIN_RATE_SHARE && failed === 0;
  const note =
    `${label}: p50 ${ms1(rank(latencies, 0.5))} ms, p99 ${ms1(p99)} ms, max ${ms1(rank(latencies, 1))} ms, ` +
    `${rate.toFixed(0)} req/s of ${RATE} asked, ${failed} failed (${SECONDS} s after a ${WARMUP_SECONDS} s ` +
    `connection warm-up, not counted; whole run incl. warm-up: p99 ${result.latency.p99} ms, max ${result.latency.max} ms); ` +
    `server CPU ${(cpuMs / Math.max(answered, 1)).toFixed(3)} ms/request ` +
    `(${((cpuMs / (SECONDS * 1000)) * 100).toFixed(0)} % of a core), event-loop delay ` +
    `p99 ${last.loop.p99} ms max ${last.loop.max} ms, GC ${last.gc.totalMs} ms (longest ${last.gc.maxMs} ms ${last.gc.maxKind}, heap ${last.gc.heapMiB} MiB) ` +
    `→ target ${met ? 'met' : 'MISSED'}`;
  process.stderr.write(`\n${note}\n`);
  return { targetMet: met, note };
}

const warmedUp = new WeakSet<ServerProcess>();

/** " [warm-up, not counted]" the first time a server is loaded, then "". */
function warmup(server: ServerProcess): string {
  if (warmedUp.has(server)) return '';
  warmedUp.add(server);
  return ' [warm-up, not counted]';
}

async function prepare(kind: StoreKind): Promise<PreparedBenchmark> {
  const base = process.env['ADMISSION_BASE'];
  const server = await startServer(ROOT, kind);
  const baseServer = base ? await startServer(resolve(base), kind) : undefined;
  const body = podReview();
  return {
    // bench/run.ts calls each side once before the counted runs: that run warms the JIT, the
    // TLS sessions and the caches, and is printed as a warm-up (its outcome is not counted).
    measure: () => load(server, body, `admission on ${kind} (this checkout)${warmup(server)}`),
    baseline: async () => {
      if (baseServer)
        await load(baseServer, body, `admission on ${kind} (baseline ${base})${warmup(baseServer)}`);
      else await sleep((WARMUP_SECONDS + SECONDS) * 1000);
    },
    async cleanup() {
      await server.stop();
      await baseServer?.stop();
    },
  };
}

const common = {
  baselineLabel: `${WARMUP_SECONDS} + ${SECONDS} s at ${RATE} req/s against ADMISSION_BASE's webhook, else idle`,
  targetLabel: `p99 <= ${P99_TARGET_MS} ms at >= ${RATE * MIN_RATE_SHARE} req/s, 0 failed`,
  runs: 3,
} as const;

export const admissionPgliteBenchmark: Benchmark = {
  ...common,
  name: 'admission-pod-3-images-pglite',
  prepare: () => prepare('PGlite'),
};

/** The test harness's in-memory PGlite: not how the service runs, kept to show the difference. */
export const admissionPgliteMemoryBenchmark: Benchmark = {
  ...common,
  name: 'admission-pod-3-images-memory-pglite',
  prepare: () => prepare('PGlite (memory)'),
};

export const admissionPostgresBenchmark: Benchmark = {
  ...common,
  name: 'admission-pod-3-images-postgres',
  prepare: () => prepare('PostgreSQL 15'),
};
