/**
 * The service half of the demo, shared by `npm run demo` and its test (test/demo.test.ts):
 * `portcullis serve` on an embedded store with the feed mirror and the sample image loaded,
 * then waiting until the sample is analysed and reading its vulnerabilities and policy check
 * through the API as a client would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const DEMO_TAG = 'demo.local/sample/app:1';

export interface DemoServiceOptions {
  /** argv before `serve`: the node binary's script (bin/portcullis.js or src/cli/main.ts via tsx). */
  command: readonly string[];
  dataDir: string;
  mirror: string;
  /** The sample's local source, e.g. `oci-dir:<layout>:<tag>`. */
  source: string;
  listen?: string;
}

export interface DemoService {
  child: ChildProcess;
  /** What the service printed on stdout so far. */
  printed(): string;
  exited: Promise<number | null>;
  logFile: string;
}

export async function startDemoService(options: DemoServiceOptions): Promise<DemoService> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(options.dataDir, 'serve.log');
  const args = [
    ...options.command,
    'serve',
    '--data-dir',
    options.dataDir,
    '--data-mirror',
    options.mirror,
    '--load-image',
    `${options.source}=${DEMO_TAG}`,
    ...(options.listen ? ['--listen', options.listen] : []),
  ];
  // The service's JSON logs go to a file; what it prints for people (URL, credentials) to stdout.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', openSync(logFile, 'a')],
    env: { ...process.env, PORTCULLIS_ADMIN_PASSWORD: '' },
  });
  let printed = '';
  child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, printed: () => printed, exited, logFile };
}

export interface Vulnerability {
  vuln: string;
  severity: string;
  package: string;
  fix: string;
}

export interface Sample {
  url: string;
  passwordFile: string;
  digest: string;
  vulnerabilities: Vulnerability[];
  /** The policy decision of the active (default) bundle: pass or fail. */
  policyStatus: string;
  curl: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the service printed its URL and the sample is analysed; throws on analysis_failed. */
export async function waitForSample(service: DemoService, timeoutMs = 1_800_000): Promise<Sample> {
  const deadline = Date.now() + timeoutMs;
  const match = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const found = pattern.exec(service.printed());
      if (found) return found[1]!;
      if (service.child.exitCode !== null) throw new Error(`portcullis serve exited (${service.logFile})`);
      if (Date.now() > deadline) throw new Error(`portcullis serve did not print ${String(pattern)}`);
      await sleep(200);
    }
  };
  const url = await match(/listening on (\S+\/v1)/);
  const passwordFile = await match(/admin password was written to (\S+)/);
  const digest = decodeURIComponent(await match(/\/images\/(sha256%3A[0-9a-f]{64})\/vuln\/all/));
  const password = (await readFile(passwordFile, 'utf8')).trim();
  const headers = {
    authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const imagePath = `/images/${encodeURIComponent(digest)}`;
  for (;;) {
    const [image] = await get<{ analysis_status: string; analysis_error: string | null }[]>(imagePath);
    if (image?.analysis_status === 'analyzed') break;
    if (image?.analysis_status === 'analysis_failed')
      throw new Error(`the sample's analysis failed: ${image.analysis_error ?? ''}`);
    if (Date.now() > deadline) throw new Error('the sample was not analysed in time');
    await sleep(1_000);
  }
  const vulns = await get<{ vulnerabilities: Vulnerability[] }>(`${imagePath}/vuln/all`);
  const check = await get<Record<string, Record<string, { status: string }[]>>[]>(
    `${imagePath}/check?tag=${encodeURIComponent(DEMO_TAG)}&detail=false`,
  );
  const policyStatus = Object.values(Object.values(check[0] ?? {})[0] ?? {})[0]?.[0]?.status ?? 'unknown';
  const auth = `-u "admin:$(cat ${passwordFile})"`;
  return {
    url,
    passwordFile,
    digest,
    vulnerabilities: vulns.vulnerabilities,
    policyStatus,
    curl: [
      `curl ${auth} ${url}${imagePath}/vuln/all`,
      `curl ${auth} '${url}${imagePath}/check?tag=${DEMO_TAG}&detail=true'`,
      `curl ${auth} ${url}/system/feeds`,
    ],
  };
}

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

export function summarize(sample: Sample): string {
  const counts = SEVERITIES.map(
    (s) => `${sample.vulnerabilities.filter((v) => v.severity === s).length} ${s}`,
  );
  const worst = [...sample.vulnerabilities]
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))
    .slice(0, 5)
    .map((v) => `    ${v.severity.padEnd(9)} ${v.vuln.padEnd(20)} ${v.package} (fix: ${v.fix})`);
  return [
    '',
    `The sample ${DEMO_TAG} (${sample.digest}) is analysed.`,
    `  API:         ${sample.url}`,
    `  Credentials: user admin, password in ${sample.passwordFile}`,
    `  Vulnerabilities: ${sample.vulnerabilities.length} (${counts.join(', ')}); the worst:`,
    ...worst,
    `  Policy evaluation (default bundle): ${sample.policyStatus}`,
    '',
    'Try:',
    ...sample.curl.map((c) => `  ${c}`),
  ].join('\n');
}
