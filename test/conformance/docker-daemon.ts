/**
 * A private Docker daemon for tests: its own data root, exec root, pid file and unix socket
 * under a temp dir, no iptables and no bridge, so it touches nothing of the host's Docker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../harness/fixtures/exec.js';

export interface TestDockerDaemon {
  /** `unix://…/docker.sock`, as OpenOptions.dockerHost expects. */
  host: string;
  root: string;
  /** `docker load -i <archive>` through the real CLI. */
  load(archive: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDockerDaemon(): Promise<TestDockerDaemon> {
  // Short path: unix socket paths are limited to 107 bytes.
  const root = await mkdtemp(join(tmpdir(), 'pc-dockerd-'));
  const socket = join(root, 'docker.sock');
  const host = `unix://${socket}`;
  const logFd = openSync(join(root, 'dockerd.log'), 'a');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--data-root',
      join(root, 'data'),
      '--exec-root',
      join(root, 'exec'),
      '--pidfile',
      join(root, 'dockerd.pid'),
      '-H',
      host,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
    }
    await rm(root, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (exited) {
      const log = await run('tail', ['-n', '20', join(root, 'dockerd.log')]).catch(() => '');
      await rm(root, { recursive: true, force: true });
      throw new Error(`dockerd exited during start-up:\n${log}`);
    }
    const ready = await stat(socket)
      .then(
        () => run('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}']).then(() => true),
        () => false,
      )
      .catch(() => false);
    if (ready) break;
    if (i > 300) {
      await stop();
      throw new Error('dockerd did not become ready within 30 s');
    }
    await sleep(100);
  }
  return {
    host,
    root,
    load: async (archive) => {
      await run('docker', ['-H', host, 'load', '-q', '-i', archive]);
    },
    stop,
  };
}
