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
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { admissionReview } from '../src/admission/test-support.js';
import { BENCH_DIGESTS } from './admission-fixture.js';
import type { Benchmark, MeasureOutcome, PreparedBenchmark } from './types.js';

const RATE = 500;
const SECONDS = 5;
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

async function load(server: ServerProcess, body: string, label: string): Promise<MeasureOutcome> {
  const cpuBefore = (await server.sample()).cpuUs;
  const result = await autocannon({
    url: server.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 20,
    overallRate: RATE,
    duration: SECONDS,
  });
  const after = await server.sample();
  const cpuMs = (after.cpuUs - cpuBefore) / 1000;
  const answered = result.requests.total;
  const failed = result.non2xx + result.errors + result.timeouts;
  const met =
    result.latency.p99 <= P99_TARGET_MS && result.requests.average >= RATE * MIN_RATE_SHARE && failed === 0;
  const note =
    `${label}: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
    `${result.requests.average} req/s of ${RATE} asked, ${failed} failed; ` +
    `server CPU ${(cpuMs / Math.max(answered, 1)).toFixed(3)} ms/request ` +
    `(${((cpuMs / (SECONDS * 1000)) * 100).toFixed(0)} % of a core), event-loop delay ` +
    `p99 ${after.loop.p99} ms max ${after.loop.max} ms, GC ${after.gc.totalMs} ms (longest ${after.gc.maxMs} ms ${after.gc.maxKind}, heap ${after.gc.heapMiB} MiB) ` +
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
      else await sleep(SECONDS * 1000);
    },
    async cleanup() {
      await server.stop();
      await baseServer?.stop();
    },
  };
}

const common = {
  baselineLabel: `${SECONDS} s at ${RATE} req/s against ADMISSION_BASE's webhook, else idle`,
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
