/**
 * A registry credential from an HTTP Authorization value, as Harbor hands one to a scanner
 * (`Basic base64(user:password)` or `Bearer <token>`); empty = anonymous.
 */
import { PortcullisError } from '../../../errors.js';
import type { RegistryCredential } from '../../options.js';

export function credentialFromAuthorization(value: string): RegistryCredential | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const space = text.indexOf(' ');
  const scheme = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : text.slice(space + 1).trim();
  if (scheme === 'bearer' && rest !== '') return { bearer: rest };
  if (scheme === 'basic' && /^[A-Za-z0-9+/=]+$/.test(rest)) {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new PortcullisError(
    'INVALID_ARGUMENT',
    'the registry authorization must be "Basic base64(user:password)" or "Bearer <token>"',
  );
}
