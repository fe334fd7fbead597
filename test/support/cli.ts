import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the CLI in-process as a user would (`portcullis <args>`), capturing stdout and stderr.
 * `process.exitCode` is reset around the run so one command's gate result never leaks into
 * the next test.
 */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (sink: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink.push(String(chunk));
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stdout.write;
  const [o, e, log] = [process.stdout.write, process.stderr.write, console.error];
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.exitCode = undefined;
  try {
    const code = await main([...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
    console.error = log;
    process.exitCode = undefined;
  }
}
