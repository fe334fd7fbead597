/** Documented exit codes (README "Exit codes"); every command uses these and only these. */
export const EXIT = Object.freeze({
  /** The command did what was asked (and, for gates, the image passed). */
  OK: 0,
  /** Something went wrong: bad input, unreachable registry, corrupt image, usage error. */
  ERROR: 1,
  /** A gate failed: `scan --fail-on` threshold hit, or `evaluate` decided STOP. */
  GATE_FAILED: 2,
});
