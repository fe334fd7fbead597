/**
 * `portcullis serve` as real child processes with the `app` fixture loaded (`--load-image`) and
 * the shared feed mirror, until the image is analysed: on the embedded store one `--role all`
 * process; on PostgreSQL a `--role api` and a `--role worker` process (probes on its own port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { startPostgres, type PostgresServer } from '../../../test/harness/postgres.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const PASSWORD = 'served-analysis-admin-password';
export const SERVED_TAG = 'served.local/contract/app:1';

interface Proc {
  child: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
}

function serve(args: readonly string[], secretKey: string): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTCULLIS_ADMIN_PASSWORD: PASSWORD, PORTCULLIS_SECRET_KEY: secretKey },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it gives a value; fails early when a process exits. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  procs: readonly Proc[] = [],
  timeoutMs = 900_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`serve exited while waiting for ${what}: ${dead.out().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

export interface ServedAnalysis {
  /** The API's base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** `/metrics` of the process that runs the analyses (the API's on the embedded store). */
  workerMetricsUrl: string;
  /** `/metrics` of the API process. */
  apiMetricsUrl: string;
  digest: string;
  api(path: string): Promise<{ status: number; json: unknown }>;
  stop(): Promise<void>;
}

export async function serveAnalysed(kind: 'PGlite' | 'PostgreSQL 15', root: string): Promise<ServedAnalysis> {
  const image = await getFixtureImage('app');
  const digest = image.manifests[0]!.manifestDigest;
  const secretKey = randomBytes(32).toString('hex');
  const common = [
    '--data-dir',
    join(root, 'data'),
    '--feed-sync-interval',
    'off',
    '--tag-watch-interval',
    'off',
  ];
  const load = [
    '--data-mirror',
    SHARED_DATA,
    '--load-image',
    `oci-dir:${image.ociLayoutDir}:${image.tag}=${SERVED_TAG}`,
  ];
  const procs: Proc[] = [];
  let postgres: PostgresServer | undefined;
  const stop = async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await postgres?.stop();
  };
  try {
    let workerBase: string | undefined;
    if (kind === 'PGlite') {
      procs.push(serve([...common, ...load, '--listen', '127.0.0.1:0'], secretKey));
    } else {
      postgres = await startPostgres();
      const db = ['--db-url', postgres.url];
      const port = await freePort();
      workerBase = `http://127.0.0.1:${port}`;
      procs.push(serve([...common, ...db, '--role', 'api', '--listen', '127.0.0.1:0'], secretKey));
      procs.push(
        serve([...common, ...db, ...load, '--role', 'worker', '--listen', `127.0.0.1:${port}`], secretKey),
      );
    }
    const url = await until(
      'the API URL',
      async () => /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(procs[0]!.out())?.[1],
      procs,
    );
    const auth = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
    const api = async (path: string) => {
      const res = await fetch(`${url}${path}`, {
        headers: { authorization: auth, 'content-type': 'application/json' },
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    };
    await until(
      'the image analysed and the feeds synced',
      async () => {
        const image = await api(`/images/${digest}`);
        const status = (image.json as { analysis_status?: string }[] | undefined)?.[0]?.analysis_status;
        if (status === 'analysis_failed') throw new Error(`analysis failed: ${JSON.stringify(image.json)}`);
        const feeds = (await api('/system/feeds')).json as { last_full_sync: string | null }[];
        return status === 'analyzed' && feeds[0]?.last_full_sync ? true : undefined;
      },
      procs,
    );
    const apiBase = url.replace(/\/v1$/, '');
    return {
      url,
      apiMetricsUrl: `${apiBase}/metrics`,
      workerMetricsUrl: `${workerBase ?? apiBase}/metrics`,
      digest,
      api,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
