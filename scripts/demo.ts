/**
 * The demo behind `npm run demo`: builds the sample image from Debian packages (debootstrap +
 * apt + npm packages, packed with umoci/skopeo; cached after the first run), loads the
 * vulnerability data snapshot from ../shared/data, then runs the CLI as a user would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFixtureImage } from '../test/harness/fixtures/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mirror = process.env.PORTCULLIS_DATA_MIRROR ?? resolve(root, '..', 'shared', 'data');

function portcullis(args: string[], allowed: number[] = [0]): void {
  console.log(`\n$ portcullis ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [join(root, 'bin', 'portcullis.js'), ...args], {
    stdio: 'inherit',
  });
  if (result.status === null || !allowed.includes(result.status)) {
    console.error(`demo: "portcullis ${args[0]}" exited with ${String(result.status)}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  if (!existsSync(mirror)) {
    console.error(`demo: vulnerability data not found at ${mirror} (set PORTCULLIS_DATA_MIRROR)`);
    process.exit(1);
  }
  console.log('Building the sample image (Debian bookworm + apt packages + node_modules)...');
  const image = await getFixtureImage('app');
  const source = `oci-dir:${image.ociLayoutDir}:${image.tag}`;
  portcullis(['db', 'update', '--mirror', mirror]);
  portcullis(['image', 'inspect', source]);
  portcullis(['sbom', source, '-o', 'table']);
  portcullis(['scan', source, '--only-fixed', '--fail-on', 'critical'], [0, 2]);
  portcullis(
    ['evaluate', source, '--policy', 'builtin:docker-best-practices', '--tag', 'demo.local/app:1'],
    [0, 2],
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
