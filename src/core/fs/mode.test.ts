import { describe, expect, it } from 'vitest';
import { modeString } from './mode.js';

// Expected strings as `ls -l` prints them (coreutils), written by hand.
describe('modeString', () => {
  it.each([
    ['dir', 0o755, 'drwxr-xr-x'],
    ['file', 0o4755, '-rwsr-xr-x'],
    ['file', 0o4644, '-rwSr--r--'],
    ['file', 0o2755, '-rwxr-sr-x'],
    ['dir', 0o1777, 'drwxrwxrwt'],
    ['dir', 0o1776, 'drwxrwxrwT'],
    ['symlink', 0o777, 'lrwxrwxrwx'],
    ['char', 0o666, 'crw-rw-rw-'],
    ['block', 0o660, 'brw-rw----'],
    ['fifo', 0o600, 'prw-------'],
    ['hardlink', 0o640, '-rw-r-----'],
  ] as const)('%s %o is %s', (type, mode, expected) => {
    expect(modeString(type, mode)).toBe(expected);
  });
});
