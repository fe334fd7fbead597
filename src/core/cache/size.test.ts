/** Size parsing: SI and binary units as defined (10^3 vs 2^10), and a coded error for the rest. */
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { formatSize, parseSize } from './size.js';

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['1048576', 1048576],
    ['512b', 512],
    ['500MB', 500 * 10 ** 6],
    ['500mb', 500 * 10 ** 6],
    ['2GiB', 2 * 2 ** 30],
    ['1.5 KiB', 1536],
    ['3TB', 3 * 10 ** 12],
    [' 7kib ', 7 * 2 ** 10],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text, '--max-size')).toBe(bytes);
  });

  it.each(['', 'MB', '12XB', '-5', '1e3', '2 GiB extra', '1.5.2GB', '99999999999999TiB'])(
    '"%s" is refused with CONFIG_INVALID naming the option',
    (text) => {
      let thrown: unknown;
      try {
        parseSize(text, '--max-size');
      } catch (err) {
        thrown = err;
      }
      expect(isPortcullisError(thrown, 'CONFIG_INVALID')).toBe(true);
      expect((thrown as Error).message).toContain('--max-size');
      expect((thrown as Error).message).toContain(`"${text}"`);
    },
  );
});

describe('formatSize', () => {
  it('prints bytes below 1 KiB exactly and binary units above', () => {
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(10 * 2 ** 30)).toBe('10.0 GiB');
  });
});
