/**
 * A bundle named the way users name one: `builtin:<name>` or a path to a bundle JSON file.
 * The file is checked to be a regular file within MAX_BUNDLE_BYTES before it is read, so an
 * endless source (a FIFO, /dev/zero) or a huge file is never loaded.
 */
import { readFile, stat } from 'node:fs/promises';
import { PortcullisError } from '../errors.js';
import { BUILTIN_BUNDLES, loadBuiltinBundle } from './builtin/index.js';
import type { ValidatedBundle } from './bundle.js';
import {
  loadBundle,
  MAX_BUNDLE_BYTES,
  validateBundle,
  validateBundleText,
  type ValidationResult,
} from './validate.js';

export const BUILTIN_PREFIX = 'builtin:';

async function readBundleText(file: string): Promise<string> {
  const cannotRead = (err: unknown) =>
    new PortcullisError('IO', `cannot read policy bundle ${file}`, { cause: err, details: { path: file } });
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (err) {
    throw cannotRead(err);
  }
  if (!info.isFile()) {
    throw new PortcullisError('IO', `policy bundle ${file} is not a regular file`, {
      details: { path: file },
    });
  }
  if (info.size > MAX_BUNDLE_BYTES) {
    throw new PortcullisError(
      'SIZE_LIMIT',
      `policy bundle ${file} is ${info.size} bytes (limit ${MAX_BUNDLE_BYTES})`,
      { details: { path: file, size: info.size } },
    );
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(err);
  }
}

/** `builtin:<name>` or a bundle file, validated; throws POLICY_INVALID listing every problem. */
export async function resolveBundle(spec: string): Promise<ValidatedBundle> {
  if (spec.startsWith(BUILTIN_PREFIX)) return loadBuiltinBundle(spec.slice(BUILTIN_PREFIX.length));
  return loadBundle(await readBundleText(spec), spec);
}

/** As resolveBundle, but every problem is returned instead of thrown (`policy validate`). */
export async function validateBundleSpec(spec: string): Promise<ValidationResult> {
  if (spec.startsWith(BUILTIN_PREFIX)) {
    const name = spec.slice(BUILTIN_PREFIX.length);
    const found = BUILTIN_BUNDLES.find((b) => b.name === name);
    if (!found) loadBuiltinBundle(name); // throws NOT_FOUND naming the available bundles
    return validateBundle(found?.document);
  }
  return validateBundleText(await readBundleText(spec));
}
