/**
 * Adapters from the image model (src/core/image/types.ts) to the policy input, so the
 * integration does not re-derive them: the OCI config's runtime fields and its history.
 */
import type { ImageConfigFile } from '../image/types.js';
import { dockerfileFromHistory } from './dockerfile.js';
import type { ImageConfigFacts, PolicyInput } from './input.js';

export function configFacts(file: ImageConfigFile): ImageConfigFacts {
  const c = file.config;
  const test = c.Healthcheck?.Test;
  return {
    user: c.User ?? '',
    env: c.Env ?? [],
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    labels: c.Labels ?? {},
    // ["NONE"] disables a healthcheck inherited from the base image.
    ...(test && test.length > 0 && test[0] !== 'NONE' ? { healthcheck: { test } } : {}),
    history: file.history.map((h) => ({ createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true })),
  };
}

/** The supplied Dockerfile when there is one, else one reconstructed from the history. */
export function dockerfileFor(
  file: ImageConfigFile,
  supplied?: string,
): NonNullable<PolicyInput['dockerfile']> {
  if (supplied !== undefined) return { text: supplied, source: 'supplied' };
  return { text: dockerfileFromHistory(configFacts(file).history), source: 'reconstructed' };
}
