import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../../errors.js';
import { credentialFromAuthorization } from './authorization.js';

describe('credentialFromAuthorization', () => {
  it('reads Basic user:password (a colon in the password kept)', () => {
    const value = `Basic ${Buffer.from('robot$harbor:pa:ss').toString('base64')}`;
    expect(credentialFromAuthorization(value)).toEqual({ username: 'robot$harbor', password: 'pa:ss' });
  });
  it('keeps a Bearer token as it is', () => {
    expect(credentialFromAuthorization('Bearer eyJ.abc.def')).toEqual({ bearer: 'eyJ.abc.def' });
  });
  it('is anonymous when empty', () => {
    expect(credentialFromAuthorization('  ')).toBeUndefined();
  });
  it.each(['Digest abc', 'Basic', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Bearer '])(
    'refuses %j',
    (value) => {
      let caught: unknown;
      try {
        credentialFromAuthorization(value);
      } catch (err) {
        caught = err;
      }
      expect(isPortcullisError(caught) && caught.code).toBe('INVALID_ARGUMENT');
    },
  );
});
