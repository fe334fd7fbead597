import { describe, expect, it } from 'vitest';
import { checkTable } from '../test-support/check-table.js';
import { parseRpm, rpm } from './index.js';
import { RPM_TABLE } from './table.js';

checkTable(rpm, RPM_TABLE);

describe('parseRpm', () => {
  it('splits epoch, version and release at the first colon and the last hyphen', () => {
    expect(parseRpm('3:1.2.3-4.el9')).toEqual({ epoch: '3', version: '1.2.3', release: '4.el9' });
    expect(parseRpm('1.2')).toEqual({ epoch: '0', version: '1.2' });
  });
});
