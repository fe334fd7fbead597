/**
 * A private PostgreSQL 15 cluster for tests: initdb into a temp dir, pg_ctl start on a free
 * 127.0.0.1 port, one database, and a stop() that removes everything. The server runs as the
 * `postgres` OS user when the tests run as root (PostgreSQL refuses to run as root).
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';

const run = promisify(execFile);

export interface PostgresServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function binDir(): string {
  for (const v of ['15', '16', '17']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries not found (install postgresql-15: scripts/install-test-deps.sh)',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function lookupIds(user: string): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run('id', ['-u', user]);
  const { stdout: gid } = await run('id', ['-g', user]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const root = await mkdtemp(join(tmpdir(), 'portcullis-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = userInfo().uid === 0;
  const ids = asRoot ? await lookupIds('postgres') : undefined;
  if (ids) {
    await chmod(root, 0o755);
    await chown(root, ids.uid, ids.gid);
  }
  const exec = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  const password = 'portcullis-test';
  const pwFile = join(root, 'pw');
  await writeFile(pwFile, password);
  if (ids) await chown(pwFile, ids.uid, ids.gid);
  await exec('initdb', [
    '-D',
    dataDir,
    '-U',
    'portcullis',
    '--pwfile',
    pwFile,
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  await exec('pg_ctl', [
    '-D',
    dataDir,
    '-l',
    join(root, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    'start',
  ]);
  const stop = async () => {
    await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  return { url: `postgres://portcullis:${password}@127.0.0.1:${port}/postgres`, port, stop };
}
