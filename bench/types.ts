/** What a benchmark declares: the work measured and, side by side, the baseline it is held to. */
export interface PreparedBenchmark {
  /** The work under test (one full repetition). */
  measure(): Promise<void>;
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
