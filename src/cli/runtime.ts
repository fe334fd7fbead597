/**
 * What every command gets from the process that runs it: the signal that aborts on SIGINT /
 * SIGTERM, and the observer that reports the pipeline's progress and warnings. Tests run the
 * CLI in-process with a runtime that never aborts.
 */
import type { PipelineObserver } from '../core/pipeline/index.js';
import type { ProgressLine } from './progress.js';

export interface CliRuntime {
  signal: AbortSignal;
  observer: PipelineObserver;
  /**
   * Called by a command for which SIGINT/SIGTERM is the normal way to end (`serve`): the process
   * then exits with the command's own code instead of 128 + the signal number.
   */
  signalEndsNormally?: () => void;
  /** The terminal progress line the observer draws, when there is one (cleared before errors). */
  progress?: ProgressLine;
}

/** Warnings go to stderr (the user's problem to know about); progress stays quiet. */
export const STDERR_OBSERVER: PipelineObserver = {
  warning(message) {
    process.stderr.write(`portcullis: warning: ${message}\n`);
  },
};

export function defaultRuntime(): CliRuntime {
  return { signal: new AbortController().signal, observer: STDERR_OBSERVER };
}
