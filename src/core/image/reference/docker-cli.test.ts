/**
 * Differential test against Docker's own reference code: the real `docker` CLI parses and
 * normalizes a reference client-side before it asks the daemon to pull. A stand-in daemon
 * on a private unix socket records the pull request (fromImage + tag/digest) and `docker
 * pull -q` prints the normalized reference, so for every input we compare:
 *   - accepted or refused,
 *   - the full normalized string (our formatReference),
 *   - what is fetched (fromImage = our referenceName, tag = our fetchReference).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { fetchReference, formatReference, parseReference, referenceName } from './parse.js';

const hex = (c: string, n = 64) => c.repeat(n);

const INPUTS = [
  'nginx',
  'nginx:1.25',
  'nginx:Latest_1.x-y',
  'docker.io/nginx',
  'docker.io/library/nginx',
  'index.docker.io/nginx',
  'index.docker.io/user/app:2',
  'user/app',
  'library/a/b',
  'localhost',
  'localhost/a',
  'localhost:5000/a',
  'localhost:5000/ns/a:v1',
  'localhost:5000',
  'LOCALHOST/a',
  '127.0.0.1:5000/app',
  '[::1]:5000/app:x',
  'ghcr.io/org/team/app:1.0',
  'my-registry.example.com:8443/a/b',
  'Foo/bar',
  'a/b__c',
  'a/b___c',
  'a/b.c_d--e',
  'a_b/c',
  '_a/b',
  'a..b/c',
  'a.b-c.d:1/x',
  'example.com:/a',
  'a:b:c',
  'a/b:c:d',
  `nginx@sha256:${hex('a')}`,
  `nginx:1@sha256:${hex('a')}`,
  `quay.io/a/b@sha512:${hex('b', 128)}`,
  `nginx@sha384:${hex('c', 96)}`,
  `nginx:${hex('t', 128)}`,
  `nginx:${hex('t', 129)}`,
  hex('x', 247),
  hex('x', 248),
  `ghcr.io/${hex('x', 255)}`,
  `ghcr.io/${hex('x', 256)}`,
  'NGINX',
  'user/App',
  'localhost:5000/App',
  hex('f'),
  'nginx:',
  'nginx:-x',
  '-nginx',
  'nginx-',
  'a//b',
  'a/b/',
  'host:port/a',
  '-host.com/a',
  'nginx@sha256:abc',
  `nginx@sha256:${hex('a', 40)}`,
  `nginx@sha256:${hex('A')}`,
  `nginx@md5:${hex('a', 32)}`,
  'a/B',
  'ghcr.io/A/b',
  'foo/Bar:tag',
  'Foo',
  'a.b/c',
  'a-b/c',
  'a:1/b',
  'a:b/c',
  '127.0.0.1/a',
  '[::1]/a',
  '[fe80::1%eth0]:5000/a',
  'example.com/a/b/c/d:e',
  `localhost:5000/a@sha256:${hex('d')}`,
  'nginx:tag@sha256:short',
  '',
  ' nginx',
];

/**
 * What the daemon does with `fromImage`: Docker CLI 20.10 (Debian's docker.io) sends the
 * familiar name (`nginx`), newer CLIs the full one (`docker.io/library/nginx`); the daemon
 * normalises both alike, so the comparison does too (written from Docker's documented rules,
 * independently of our parser).
 */
function daemonName(fromImage: string): string {
  const slash = fromImage.indexOf('/');
  const first = slash < 0 ? '' : fromImage.slice(0, slash);
  const hasDomain =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let domain = hasDomain ? first : 'docker.io';
  let path = hasDomain ? fromImage.slice(slash + 1) : fromImage;
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return `${domain}/${path}`;
}

/**
 * Inputs the grammar of Docker CLI < 23 (distribution/reference before v0.5, as vendored by
 * Debian's docker.io 20.10) refuses and today's accepts: IPv6 and upper-case registry hosts, and
 * the 255-character limit counted on the path rather than the whole name. We follow today's
 * grammar (the one registries and containerd use), so with an old CLI these are the expected
 * disagreements, and nothing else may differ.
 */
const NEWER_GRAMMAR_ONLY = new Set([
  'LOCALHOST/a',
  '[::1]:5000/app:x',
  '[::1]/a',
  'Foo/bar',
  hex('x', 247),
  `ghcr.io/${hex('x', 255)}`,
]);

function dockerClientMajor(): number {
  // "Docker version 20.10.24+dfsg1, build 297e128"
  const version = execFileSync('docker', ['--version'], { encoding: 'utf8' });
  const major = /version (\d+)\./.exec(version)?.[1];
  if (!major) throw new Error(`cannot read the docker CLI version from: ${version}`);
  return Number(major);
}

interface DaemonPull {
  fromImage: string;
  tag: string;
}

let dir: string;
let server: Server;
let pulls: DaemonPull[] = [];
let legacyCli = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-docker-cli-'));
  legacyCli = dockerClientMajor() < 23;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://daemon');
    res.setHeader('API-Version', '1.41');
    res.setHeader('Content-Type', 'application/json');
    if (url.pathname.endsWith('/images/create')) {
      pulls.push({
        fromImage: daemonName(url.searchParams.get('fromImage') ?? ''),
        tag: url.searchParams.get('tag') ?? '',
      });
      res.end('{"status":"pulled"}\n');
      return;
    }
    res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(join(dir, 'docker.sock'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function dockerPull(input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['pull', '-q', '--', input],
      {
        env: {
          PATH: process.env.PATH,
          DOCKER_HOST: `unix://${join(dir, 'docker.sock')}`,
          DOCKER_CONFIG: dir,
          HOME: dir,
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout: stdout.trim(), stderr: stderr.trim() }),
    );
  });
}

describe('references agree with the docker CLI', () => {
  it.each(INPUTS)('%s', async (input) => {
    pulls = [];
    const docker = await dockerPull(input);
    let ours: ReturnType<typeof parseReference> | undefined;
    let error: unknown;
    try {
      ours = parseReference(input);
    } catch (err) {
      error = err;
    }
    if (docker.code !== 0 && legacyCli && NEWER_GRAMMAR_ONLY.has(input)) {
      expect(docker.stderr).toMatch(/invalid|must|cannot|unsupported/i);
      expect(error, `today's grammar accepts ${input}`).toBeUndefined();
      return;
    }
    if (docker.code !== 0) {
      expect(pulls, `docker refused before pulling: ${docker.stderr}`).toEqual([]);
      expect(docker.stderr).toMatch(/invalid|must|cannot|unsupported/i);
      expect(isPortcullisError(error, 'INVALID_REFERENCE'), `docker says: ${docker.stderr}`).toBe(true);
      return;
    }
    expect(error, String(error)).toBeUndefined();
    if (!ours) return;
    expect(formatReference(ours)).toBe(docker.stdout);
    expect(pulls).toEqual([{ fromImage: referenceName(ours), tag: fetchReference(ours) }]);
  });
});
