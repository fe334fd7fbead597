/**
 * Starts an image as a container without a Docker daemon: `umoci unpack` makes an OCI runtime
 * bundle (rootfs + config.json with the image's user, entrypoint, env and working dir) and the
 * real `runc` runs it. The container shares the host's network namespace so the test reaches
 * the service on 127.0.0.1 (no other address is used).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { run } from '../harness/fixtures/exec.js';

interface RuntimeConfig {
  process: { terminal: boolean; args: string[]; user: { uid: number; gid: number }; env: string[] };
  linux: { namespaces: { type: string }[] };
}

export interface RunningContainer {
  id: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  config: RuntimeConfig;
  /** The container's init process as the host sees it. */
  pid(): Promise<number>;
  stop(): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Unpacks `layout:tag` into `bundle` and runs it with `args` after the image's entrypoint. */
export async function runImage(
  layout: string,
  tag: string,
  bundle: string,
  args: readonly string[],
): Promise<RunningContainer> {
  await run('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle]);
  const file = join(bundle, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as RuntimeConfig;
  config.process.terminal = false;
  config.process.args = [config.process.args[0] ?? '', ...args];
  config.linux.namespaces = config.linux.namespaces.filter((n) => n.type !== 'network');
  await writeFile(file, JSON.stringify(config));
  const id = `pc-image-test-${process.pid}`;
  const child = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    id,
    child,
    output: () => output,
    exited,
    config,
    async pid() {
      const state = JSON.parse(await run('runc', ['state', id])) as { pid: number };
      return state.pid;
    },
    async stop() {
      await run('runc', ['kill', id, 'TERM']).catch(() => undefined);
      const code = await exited;
      await run('runc', ['delete', '--force', id]).catch(() => undefined);
      return code;
    },
  };
}
