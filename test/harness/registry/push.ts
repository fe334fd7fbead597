/**
 * Pushes an image to a test registry with the real `skopeo copy`, with the credentials and
 * TLS settings of the registry's mode. Indexes are pushed whole (`--all`), so a
 * two-platform layout arrives as a two-platform index.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestRegistry } from './start-registry.js';

const run = promisify(execFile);

/** `source` is a skopeo transport reference: 'oci:<layout>:<tag>' or 'oci-archive:<file>'. */
export async function pushImage(registry: TestRegistry, source: string, destination: string): Promise<void> {
  const args = ['copy', '--insecure-policy', '--quiet', '--all', '--retry-times', '2'];
  if (registry.mode === 'plain') args.push('--dest-tls-verify=false');
  else args.push('--dest-cert-dir', registry.certDir ?? '');
  if (registry.username) args.push('--dest-creds', `${registry.username}:${registry.password}`);
  args.push(source, `docker://${registry.host}/${destination}`);
  try {
    await run('skopeo', args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(
      `skopeo copy ${source} → ${registry.host}/${destination} failed: ${stderr || String(err)}`,
    );
  }
}

/** The raw manifest bytes as skopeo reads them (ground truth for digests). */
export async function inspectRaw(registry: TestRegistry, reference: string): Promise<Buffer> {
  const args = ['inspect', '--raw'];
  if (registry.mode === 'plain') args.push('--tls-verify=false');
  else args.push('--cert-dir', registry.certDir ?? '');
  if (registry.username) args.push('--creds', `${registry.username}:${registry.password}`);
  args.push(`docker://${registry.host}/${reference}`);
  const { stdout } = await run('skopeo', args, { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** `skopeo login`, writing a docker-style `{"auths": …}` file as the real tools do. */
export async function loginWithSkopeo(registry: TestRegistry, authFile: string): Promise<void> {
  const args = ['login', '--authfile', authFile, '-u', registry.username, '-p', registry.password];
  if (registry.mode === 'plain') args.push('--tls-verify=false');
  else args.push('--cert-dir', registry.certDir ?? '');
  args.push(registry.host);
  await run('skopeo', args);
}

/** `skopeo copy` of `reference` from the registry to an OCI layout (ground truth for pulls). */
export async function pullWithSkopeo(
  registry: TestRegistry,
  reference: string,
  layoutDir: string,
): Promise<void> {
  const args = ['copy', '--insecure-policy', '--quiet'];
  if (registry.mode === 'plain') args.push('--src-tls-verify=false');
  else args.push('--src-cert-dir', registry.certDir ?? '');
  if (registry.username) args.push('--src-creds', `${registry.username}:${registry.password}`);
  args.push(`docker://${registry.host}/${reference}`, `oci:${layoutDir}:pulled`);
  await run('skopeo', args, { maxBuffer: 16 * 1024 * 1024 });
}
