/**
 * The pull login of a Harbor scan: Harbor's credential for the host of `registry.url` only
 * (never a wildcard, so it cannot reach another host), TLS verified unless Harbor said
 * `insecure` or the registry speaks plain HTTP.
 */
import { credentialFromAuthorization } from '../core/image/backends/registry/authorization.js';
import type { RegistryLogin } from './analyze.js';

export function harborLogins(registryUrl: string, authorization: string, insecure: boolean): RegistryLogin[] {
  const url = new URL(registryUrl);
  const credential = credentialFromAuthorization(authorization);
  const verifyTls = url.protocol === 'https:' && !insecure;
  if (!credential && verifyTls) return [];
  return [
    {
      registry: url.host,
      username: credential?.username ?? '',
      password: credential?.password ?? '',
      ...(credential?.bearer !== undefined ? { bearer: credential.bearer } : {}),
      verifyTls,
    },
  ];
}
