/**
 * Runs a reference implementation (dpkg, python3-rpm, Ruby, PHP, Java, Go) once for a whole
 * batch: one line of input per case on stdin, one line of output per case on stdout.
 */
import { spawnSync } from 'node:child_process';

export function runBatch(
  command: string,
  args: readonly string[],
  lines: readonly string[],
  cwd?: string,
): string[] {
  const result = spawnSync(command, args, {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    cwd,
  });
  // A crashed reference closes stdin early (EPIPE): its stderr says why, so report that first.
  if (result.status !== 0) {
    throw new Error(`${command} exited with ${String(result.status)}: ${result.stderr.slice(0, 2000)}`);
  }
  if (result.error) throw result.error;
  const out = result.stdout.split('\n');
  if (out[out.length - 1] === '') out.pop();
  if (out.length !== lines.length) {
    throw new Error(
      `${command} answered ${out.length} lines for ${lines.length} cases: ${result.stderr.slice(0, 2000)}`,
    );
  }
  return out;
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Mismatches formatted for the failure message, so a failing run shows what to pin. */
export function describeMismatches(mismatches: readonly unknown[]): string {
  return `${mismatches.length} disagreements, first ones:\n${mismatches
    .slice(0, 15)
    .map((m) => JSON.stringify(m))
    .join('\n')}`;
}

/**
 * One case as an ASCII-only JSON array, for drivers fed inputs that hold the line protocol's
 * own separators (tabs, newlines) or bytes a driver's locale might misread.
 */
export function jsonLine(fields: readonly string[]): string {
  return JSON.stringify(fields).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
