/** Baselines that run real tools, so ratios compare against something outside our code. */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';

/** `gunzip -c <file> > /dev/null` for each file in turn. */
export async function gunzipToDevNull(files: readonly string[]): Promise<void> {
  const devNull = await open('/dev/null', 'w');
  try {
    for (const file of files) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn('gunzip', ['-c', file], { stdio: ['ignore', devNull.fd, 'inherit'] });
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`gunzip -c ${file} exited ${code}`)),
        );
      });
    }
  } finally {
    await devNull.close();
  }
}
