/**
 * SIGINT and SIGTERM abort the running command instead of killing the process: the pipeline
 * stops its downloads and layer reads, every `finally` removes its temp files, and only then
 * does the process exit, with 128 + the signal number (130 for SIGINT, 143 for SIGTERM). A
 * second signal while cleaning up exits at once.
 */
export interface Interruption {
  readonly signal: AbortSignal;
  /** The exit code the received signal calls for; undefined while none was received. */
  exitCode(): number | undefined;
  /** The running command ends normally on a signal (a service draining): no signal exit code. */
  endsNormally(): void;
  dispose(): void;
}

const EXIT_BY_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof EXIT_BY_SIGNAL;

export function installInterruption(onForce: (code: number) => void): Interruption {
  const controller = new AbortController();
  let received: HandledSignal | undefined;
  let normalEnd = false;
  const handlers = (Object.keys(EXIT_BY_SIGNAL) as HandledSignal[]).map((name) => {
    const handler = () => {
      if (received) {
        onForce(EXIT_BY_SIGNAL[received]);
        return;
      }
      received = name;
      controller.abort(new Error(`interrupted by ${name}`));
    };
    process.on(name, handler);
    return { name, handler };
  });
  return {
    signal: controller.signal,
    exitCode: () => (received && !normalEnd ? EXIT_BY_SIGNAL[received] : undefined),
    endsNormally: () => {
      normalEnd = true;
    },
    dispose() {
      for (const { name, handler } of handlers) process.off(name, handler);
    },
  };
}
