/** Spawns `store-in-child.ts` as a real process and collects its exit code and output. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./store-in-child.ts', import.meta.url));

export interface StoreChild {
  /** Resolves when the child exits: its code and everything it wrote. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves once the child's stderr contains `text`. */
  saw(text: string): Promise<void>;
  kill(): void;
}

export function storeChild(...args: string[]): StoreChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) {
      if (stderr.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  const done = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return {
    done,
    saw: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ text, resolve })),
            done.then(({ code }) => {
              throw new Error(`child exited (${code}) before writing "${text}": ${stderr}`);
            }),
          ]),
    kill: () => child.kill('SIGKILL'),
  };
}
