/**
 * The demo behind `npm run demo`: builds the sample image from Debian packages (debootstrap +
 * apt + npm packages, packed with umoci/skopeo; cached after the first run), then starts
 * `portcullis serve` on the embedded store with the vulnerability data snapshot from
 * ../shared/data as its feed mirror and the sample loaded (`--load-image`, an operator flag: the
 * API itself never reads local files). Once the sample is analysed it prints the URL, the
 * credentials file, the sample's vulnerabilities and policy evaluation, and the curl commands
 * that ask for them; the service runs until Ctrl-C. DEMO_DATA_DIR keeps the store elsewhere.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFixtureImage } from '../test/harness/fixtures/index.js';
import { startDemoService, summarize, waitForSample } from './demo-service.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mirror = process.env.PORTCULLIS_DATA_MIRROR ?? resolve(root, '..', 'shared', 'data');
const dataDir = process.env.DEMO_DATA_DIR ?? join(root, '.demo');

async function main(): Promise<void> {
  if (!existsSync(mirror)) {
    console.error(`demo: vulnerability data not found at ${mirror} (set PORTCULLIS_DATA_MIRROR)`);
    process.exit(1);
  }
  console.log('Building the sample image (Debian bookworm + apt packages + node_modules)...');
  const image = await getFixtureImage('app');
  const service = await startDemoService({
    command: [join(root, 'bin', 'portcullis.js')],
    dataDir,
    mirror,
    source: `oci-dir:${image.ociLayoutDir}:${image.tag}`,
  });
  const stop = () => service.child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`\nStarting portcullis serve on the embedded store in ${dataDir} (logs: ${service.logFile})`);
  console.log('Loading the vulnerability data and analysing the sample in the service...');
  const sample = await waitForSample(service);
  console.log(summarize(sample));
  console.log('\nThe service keeps running: try the commands above. Ctrl-C stops it.');
  const code = await service.exited;
  process.exitCode = code === 0 || code === null ? 0 : code;
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
