/**
 * Built-in bundles, addressable as `builtin:<name>`: the five presets Banzai Cloud shipped for
 * Anchore plus a Docker best-practices bundle. An explicit list; each is validated on first use.
 */
import { PortcullisError } from '../../errors.js';
import type { ValidatedBundle } from '../bundle.js';
import { validateBundle } from '../validate.js';
import allowAll from './allow-all.json' with { type: 'json' };
import blockRoot from './block-root.json' with { type: 'json' };
import denyAll from './deny-all.json' with { type: 'json' };
import dockerBestPractices from './docker-best-practices.json' with { type: 'json' };
import rejectCritical from './reject-critical.json' with { type: 'json' };
import rejectHigh from './reject-high.json' with { type: 'json' };

export interface BuiltinBundle {
  name: string;
  description: string;
  document: unknown;
}

const entry = (name: string, document: { comment: string }): BuiltinBundle => ({
  name,
  description: document.comment,
  document,
});

export const BUILTIN_BUNDLES: readonly BuiltinBundle[] = [
  entry('allow-all', allowAll),
  entry('reject-critical', rejectCritical),
  entry('reject-high', rejectHigh),
  entry('block-root', blockRoot),
  entry('deny-all', denyAll),
  entry('docker-best-practices', dockerBestPractices),
];

export function loadBuiltinBundle(name: string): ValidatedBundle {
  const found = BUILTIN_BUNDLES.find((b) => b.name === name);
  if (!found) {
    throw new PortcullisError(
      'NOT_FOUND',
      `no built-in policy bundle "${name}" (available: ${BUILTIN_BUNDLES.map((b) => b.name).join(', ')})`,
      {
        details: { bundle: name },
      },
    );
  }
  const result = validateBundle(found.document);
  if (!result.ok) {
    // Built-ins are tested; reaching this is our bug, reported with the first problems.
    throw new PortcullisError(
      'POLICY_INVALID',
      `built-in bundle ${name} is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return result.bundle;
}
