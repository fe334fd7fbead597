/** What a benchmark declares: the work measured and, side by side, the baseline it is held to. */

/** A repetition that judges itself on its own figures (a load generator's p99, throughput). */
export interface MeasureOutcome {
  targetMet: boolean;
  /** The figures the judgement rests on, one line. */
  note: string;
}

export interface PreparedBenchmark {
  /** The work under test (one full repetition); returns an outcome when it judges its target. */
  measure(): Promise<void | MeasureOutcome>;
  /** The reference work, run in the same process run, interleaved with `measure`. */
  baseline(): Promise<void>;
  cleanup?(): Promise<void>;
}

export interface Benchmark {
  /** Short unique name, used to pick benchmarks on the command line. */
  name: string;
  /** What the baseline is, for the table ("gunzip -c of the 5 layers"). */
  baselineLabel: string;
  /** Pass when median(measure) / median(baseline) is at most this. */
  targetRatio?: number;
  /**
   * For targets an issue states in absolute time (import <= 10 s): pass when median(measure)
   * is at most this; the baseline then only shows what the time is made of.
   */
  targetMs?: number;
  /**
   * For targets stated as an overhead over the baseline (start-up within 0.15 s of bare
   * node): pass when median(measure) - median(baseline) is at most this.
   */
  targetOverBaselineMs?: number;
  /**
   * For targets the duration cannot show (p99 at a request rate): what the target is, for the
   * table; each repetition's `MeasureOutcome` says whether it was met.
   */
  targetLabel?: string;
  /** Repetitions of each side (after one warm-up each). */
  runs: number;
  /** Builds fixtures and opens what both sides need; not timed. */
  prepare(): Promise<PreparedBenchmark>;
  /**
   * Releases what several benchmarks share (a seeded database, a server), once, after every
   * selected benchmark ran; benchmarks sharing a fixture give the same function.
   */
  teardown?(): Promise<void>;
}
