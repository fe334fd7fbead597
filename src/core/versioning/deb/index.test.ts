import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { deb, parseDeb } from './index.js';
import { DEB_TABLE } from './table.js';

checkTable(deb, DEB_TABLE);

describe('parseDeb', () => {
  it('splits epoch, upstream and revision at the first colon and the last hyphen', () => {
    expect(parseDeb('2:1.0-rc1-3+deb12u1')).toEqual({
      epoch: 2n,
      upstream: '1.0-rc1',
      revision: '3+deb12u1',
    });
    expect(parseDeb('1.0')).toEqual({ epoch: 0n, upstream: '1.0', revision: '' });
  });
});
