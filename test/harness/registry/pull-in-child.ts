/**
 * A registry pull in a process of its own, for tests of what two processes sharing one blob
 * cache, or a process killed mid-download, leave behind:
 *   node --import tsx test/harness/registry/pull-in-child.ts <host/repo:tag> <cacheDir>
 * It reads every layer blob (through the digest check) and prints "pulled" when done.
 */
import { openImage } from '../../../src/core/image/open.js';
import { registryOpenOptions } from './options.js';

const [reference, cacheDir] = process.argv.slice(2);
if (!reference || !cacheDir) throw new Error('usage: pull-in-child.ts <host/repo:tag> <cacheDir>');
const options = registryOpenOptions(
  { host: '', mode: 'plain', caPem: '', username: '', password: '' },
  cacheDir,
);
const image = await openImage(reference, options.env, options.request);
for (const layer of await image.layers()) {
  for await (const chunk of await layer.compressed()) void chunk;
}
process.stdout.write('pulled\n');
