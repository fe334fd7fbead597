/** `ls -l` style mode strings ("drwxr-xr-x", "-rwsr-xr-x", "lrwxrwxrwx"). */
import type { LayerEntryType } from './types.js';

const TYPE_CHAR: Readonly<Record<LayerEntryType, string>> = {
  file: '-',
  hardlink: '-',
  dir: 'd',
  symlink: 'l',
  char: 'c',
  block: 'b',
  fifo: 'p',
  whiteout: 'w',
  opaque: 'o',
};

export function modeString(type: LayerEntryType, mode: number): string {
  const bit = (mask: number, ch: string) => (mode & mask ? ch : '-');
  // The execute slot shows setuid/setgid/sticky: lower case when also executable, upper when not.
  const special = (exec: number, flag: number, on: string) =>
    mode & flag ? (mode & exec ? on : on.toUpperCase()) : bit(exec, 'x');
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't')
  );
}
