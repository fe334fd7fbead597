/**
 * `npm run bench [-- <name filter>...] [--runs N]`: runs each benchmark and its baseline
 * interleaved in this one process run, then prints median, p90, ratio and target. Timing never
 * fails a test; this command only reports (exit code 0 unless a benchmark crashes).
 */
import { performance } from 'node:perf_hooks';
import { renderColumns as renderTable } from '../src/core/report/columns.js';
import { BENCHMARKS } from './benchmarks.js';
import { median, percentile } from './stats.js';
import type { Benchmark, MeasureOutcome } from './types.js';

interface Result {
  bench: Benchmark;
  measured: number[];
  baseline: number[];
  /** This process's CPU time (user + system) per measured run: steadier than wall time on a busy machine. */
  measuredCpu: number[];
  baselineCpu: number[];
  outcomes: MeasureOutcome[];
}

async function time(fn: () => Promise<unknown>, cpu: number[]): Promise<number> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(startCpu);
  cpu.push((used.user + used.system) / 1000);
  return performance.now() - start;
}

async function runOne(bench: Benchmark, runs: number): Promise<Result> {
  const prepared = await bench.prepare();
  try {
    // One warm-up of each side (page cache, JIT), then alternate so drift hits both equally, and
    // swap which goes first on every run: a run pays part of the garbage collection of the run
    // before it, so a fixed order charged each side with the other's garbage (ADR 0032).
    await prepared.baseline();
    await prepared.measure();
    const measured: number[] = [];
    const baseline: number[] = [];
    const measuredCpu: number[] = [];
    const baselineCpu: number[] = [];
    const outcomes: MeasureOutcome[] = [];
    const runBaseline = async () => baseline.push(await time(() => prepared.baseline(), baselineCpu));
    const runMeasured = async () =>
      measured.push(
        await time(async () => {
          const outcome = await prepared.measure();
          if (outcome) outcomes.push(outcome);
        }, measuredCpu),
      );
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        await runBaseline();
        await runMeasured();
      } else {
        await runMeasured();
        await runBaseline();
      }
      process.stderr.write(`\r${bench.name}: run ${i + 1}/${runs}`);
    }
    process.stderr.write('\n');
    return { bench, measured, baseline, measuredCpu, baselineCpu, outcomes };
  } finally {
    await prepared.cleanup?.();
  }
}

function parseArgs(argv: readonly string[]): { filters: string[]; runs: number | undefined } {
  const filters: string[] = [];
  let runs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--runs') runs = Number(argv[++i]);
    else filters.push(arg);
  }
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0))
    throw new Error('--runs needs a positive integer');
  return { filters, runs };
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

/**
 * "met" / "MISSED" against what the benchmark declares; "no target" when it declares none (a
 * finished run is not a pass). Self-judged repetitions count one by one: "met 2/3" is a miss.
 */
function verdictOf(bench: Benchmark, r: Pick<Result, 'measured' | 'baseline' | 'outcomes'>): string {
  const checks: boolean[] = [];
  const m = median(r.measured);
  if (bench.targetRatio !== undefined) checks.push(m / median(r.baseline) <= bench.targetRatio);
  if (bench.targetMs !== undefined) checks.push(m <= bench.targetMs);
  if (bench.targetOverBaselineMs !== undefined)
    checks.push(m - median(r.baseline) <= bench.targetOverBaselineMs);
  if (bench.targetLabel !== undefined) {
    const met = r.outcomes.filter((o) => o.targetMet).length;
    if (r.outcomes.length === 0) return 'MISSED (no outcome reported)';
    if (met < r.outcomes.length) return `MISSED (met ${met}/${r.outcomes.length} runs)`;
    checks.push(true);
  }
  if (checks.length === 0) return 'no target';
  return checks.every(Boolean) ? 'met' : 'MISSED';
}

async function main(): Promise<void> {
  const { filters, runs } = parseArgs(process.argv.slice(2));
  const selected = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
  if (selected.length === 0) throw new Error(`no benchmark matches ${filters.join(', ')}`);
  const results: Result[] = [];
  try {
    for (const bench of selected) results.push(await runOne(bench, runs ?? bench.runs));
  } finally {
    // Shared fixtures (a seeded database, a server) go once every benchmark using them ran.
    for (const teardown of new Set(selected.map((b) => b.teardown))) await teardown?.();
  }
  const rows = results.map(({ bench, measured, baseline, measuredCpu, baselineCpu, outcomes }) => {
    const ratio = median(measured) / median(baseline);
    const targets = [
      ...(bench.targetRatio === undefined ? [] : [`<= ${bench.targetRatio}x`]),
      ...(bench.targetMs === undefined ? [] : [`<= ${ms(bench.targetMs)}`]),
      ...(bench.targetOverBaselineMs === undefined
        ? []
        : [`<= baseline + ${ms(bench.targetOverBaselineMs)}`]),
      ...(bench.targetLabel === undefined ? [] : [bench.targetLabel]),
    ];
    return [
      bench.name,
      ms(median(measured)),
      ms(percentile(measured, 90)),
      `${ms(median(baseline))} (${bench.baselineLabel})`,
      `${ratio.toFixed(2)}x`,
      `${ms(median(measuredCpu))} / ${ms(median(baselineCpu))}`,
      targets.join(' and '),
      verdictOf(bench, { measured, baseline, outcomes }),
    ];
  });
  process.stdout.write(
    renderTable(
      [
        'benchmark',
        'median',
        'p90',
        'baseline median',
        'ratio',
        'process cpu (median, measured / baseline)',
        'target',
        'result',
      ],
      rows,
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
