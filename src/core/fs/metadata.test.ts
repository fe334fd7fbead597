/** Entry metadata as the tar headers state it; the per-layer view. */
import { describe, expect, it } from 'vitest';
import { dir, file, symlink } from './test-support/build-image.js';
import { fsOf } from './test-support/fs-for.js';

describe('entry metadata', () => {
  it('keeps type, mode bits, owner, size, mtime, link target and device numbers', async () => {
    const mtime = new Date('2024-05-06T07:08:09Z');
    const fs = await fsOf([
      [
        dir('usr/'),
        { name: 'usr/passwd', content: 'x'.repeat(1234), mode: 0o4755, uid: 0, gid: 42, mtime },
        { name: 'tmp/', type: 'directory', mode: 0o1777 },
        { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
        { name: 'dev/sda', type: 'block-device', mode: 0o660, devmajor: 8, devminor: 0, gid: 6 },
        { name: 'run/fifo', type: 'fifo', mode: 0o600 },
        symlink('usr/sh', 'dash'),
      ],
    ]);
    expect(fs.lstat('/usr/passwd')).toMatchObject({
      type: 'file',
      mode: 0o4755,
      gid: 42,
      size: 1234,
      mtime: mtime.getTime(),
    });
    expect(fs.lstat('/tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    expect(fs.lstat('/dev/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3, size: 0 });
    expect(fs.lstat('/dev/sda')).toMatchObject({ type: 'block', devMajor: 8, devMinor: 0, gid: 6 });
    expect(fs.lstat('/run/fifo')).toMatchObject({ type: 'fifo', mode: 0o600 });
    expect(fs.lstat('/usr/sh')).toMatchObject({ type: 'symlink', linkTarget: 'dash', size: 4 });
    expect(fs.layers).toHaveLength(1);
    expect(fs.layers[0]?.diffId).toMatch(/^sha256:/);
  });

  it('lists what one layer contains with --layer semantics and rejects a missing layer', async () => {
    const fs = await fsOf([
      [file('a', '1'), file('b', '2')],
      [file('a', 'changed'), file('.wh.b')],
    ]);
    expect(fs.layerEntries(1).map((e) => [e.path, e.type, e.size])).toEqual([
      ['/a', 'file', 7],
      ['/b', 'whiteout', 0],
    ]);
    expect(() => fs.layerEntries(2)).toThrow(/has 2 layers \(0-1\); there is no layer 2/);
  });

  it('globs absolute paths with dotfiles; a relative pattern is taken from the root', async () => {
    const fs = await fsOf([[dir('etc/'), file('etc/.hidden'), file('etc/x.conf')]]);
    expect(fs.glob('/etc/*').map((e) => e.path)).toEqual(['/etc/.hidden', '/etc/x.conf']);
    expect(fs.glob('etc/*.conf').map((e) => e.path)).toEqual(['/etc/x.conf']);
    expect(fs.glob('**/x.conf').map((e) => e.path)).toEqual(['/etc/x.conf']);
  });

  it('lists directory children lazily, following symlinks', async () => {
    const fs = await fsOf([
      [dir('usr/'), dir('usr/lib/'), file('usr/lib/b'), file('usr/lib/a'), symlink('lib', 'usr/lib')],
    ]);
    expect(fs.readdir('/lib')?.map((e) => e.path)).toEqual(['/usr/lib/a', '/usr/lib/b']);
    expect(fs.readdir('/')?.map((e) => e.path)).toEqual(['/lib', '/usr']);
    expect(fs.readdir('/usr/lib/a')).toBeUndefined();
    expect(fs.readdir('/missing')).toBeUndefined();
  });

  it('reads long names and link targets from PAX headers', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    const fs = await fsOf([[file(long, 'deep'), symlink('short', `/${long}`)]]);
    expect(fs.lstat(`/${long}`)?.size).toBe(4);
    expect((await fs.readFile('/short')).toString()).toBe('deep');
  });

  it('records a duplicate path in one layer as a problem; the last entry wins', async () => {
    const fs = await fsOf([[file('twice', 'first'), file('twice', 'second')]]);
    expect(fs.problems.map((p) => [p.code, p.path])).toEqual([['DUPLICATE_ENTRY', '/twice']]);
    expect((await fs.readFile('/twice')).toString()).toBe('second');
  });
});
