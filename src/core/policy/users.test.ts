import { describe, expect, it } from 'vitest';
import { isRootUser, sameUser, userPart } from './users.js';

describe('container users', () => {
  it.each(['root', '0', '00', 'root:root', '0:0', '0:somegroup', 'root:1000', ' 0 ', '0:'])(
    '%j is root',
    (spec) => {
      expect(isRootUser(spec)).toBe(true);
    },
  );
  it.each(['app', '1000', '1000:0', 'nobody:root', 'rooted', '10', ''])('%j is not root', (spec) => {
    expect(isRootUser(spec)).toBe(false);
  });
  it('compares root by name or uid, others by the user part', () => {
    expect(sameUser('root', '0:0')).toBe(true);
    expect(sameUser('0', 'root:1000')).toBe(true);
    expect(sameUser('root', '1000:0')).toBe(false);
    expect(sameUser('app', 'app:staff')).toBe(true);
    expect(sameUser('app', '1000')).toBe(false);
    expect(userPart(' nobody:nogroup ')).toBe('nobody');
  });
});
