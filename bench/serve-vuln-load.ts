/**
 * The two halves of bench/serve-vuln.ts: an API process of some checkout (serve-vuln-server.ts)
 * whose CPU time can be asked, and autocannon load against it, reported as req/s (requests over
 * the run's wall time), p99 and the server's CPU time per request.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './stats.js';

const SERVER = fileURLToPath(new URL('./serve-vuln-server.ts', import.meta.url));

export interface ApiProcess {
  url: string;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

export async function startApiProcess(root: string, dataDir: string, dbUrl?: string): Promise<ApiProcess> {
  const child: ChildProcess = fork(SERVER, [root, dataDir, ...(dbUrl ? [dbUrl] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`serve-vuln-server exited ${code}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as Record<string, unknown>);
      });
    });
  const { url } = (await next()) as { url: string };
  return {
    url,
    async cpuMicros() {
      const answer = next();
      child.send('cpu');
      const { cpu } = (await answer) as { cpu: NodeJS.CpuUsage };
      return cpu.user + cpu.system;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}

export interface LoadFigures {
  reqPerSec: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
}

/** `amount` requests over `connections` connections; the load generator runs in a worker thread. */
export async function load(
  server: ApiProcess,
  path: string,
  headers: Record<string, string>,
  options: { connections: number; amount: number },
): Promise<LoadFigures> {
  const before = await server.cpuMicros();
  const result = await autocannon({ url: `${server.url}${path}`, headers, workers: 1, ...options });
  const cpu = (await server.cpuMicros()) - before;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
  return {
    reqPerSec: result.requests.total / seconds,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: cpu / result.requests.total,
  };
}

/** Median figures of a side's runs, and new / baseline ratios, as lines for the report. */
export function summarise(label: string, sides: Record<string, LoadFigures[]>): string {
  const med = (runs: LoadFigures[], k: keyof LoadFigures) => median(runs.map((r) => r[k]));
  const names = Object.keys(sides);
  const lines = names.map((name) => {
    const runs = sides[name]!;
    return `  ${label} ${name.padEnd(30)} ${med(runs, 'reqPerSec').toFixed(0).padStart(6)} req/s  p99 ${med(runs, 'p99Ms').toFixed(0).padStart(3)} ms  ${med(runs, 'cpuMicrosPerRequest').toFixed(0).padStart(5)} µs CPU/request  (median of ${runs.length})`;
  });
  const [measured, baseline] = names.map((n) => sides[n]!);
  if (measured?.length && baseline?.length)
    lines.push(
      `  ${label} ratio measured/baseline: req/s ${(med(measured, 'reqPerSec') / med(baseline, 'reqPerSec')).toFixed(2)}x, p99 ${(med(measured, 'p99Ms') / med(baseline, 'p99Ms')).toFixed(2)}x, CPU/request ${(med(measured, 'cpuMicrosPerRequest') / med(baseline, 'cpuMicrosPerRequest')).toFixed(2)}x`,
    );
  return `${lines.join('\n')}\n`;
}
