/** Hard links (inode semantics) and symlink resolution confined to the image root. */
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { dir, file, hardlink, symlink } from './test-support/build-image.js';
import { fsOf } from './test-support/fs-for.js';

describe('hard links', () => {
  it('share the target inode: metadata, size and the bytes as they were when linked', async () => {
    const fs = await fsOf([
      [dir('bin/'), { name: 'bin/a', content: 'AAAA', mode: 0o4755, uid: 7 }, hardlink('bin/b', 'bin/a')],
      [file('bin/a', 'replaced')],
    ]);
    const b = fs.lstat('/bin/b');
    expect(b).toMatchObject({
      type: 'hardlink',
      linkTarget: '/bin/a',
      size: 4,
      mode: 0o4755,
      uid: 7,
      layer: 0,
    });
    expect((await fs.readFile('/bin/b')).toString()).toBe('AAAA');
    expect((await fs.readFile('/bin/a')).toString()).toBe('replaced');
  });

  it('may point to a file of a lower layer', async () => {
    const fs = await fsOf([[file('lower', 'low')], [hardlink('upper', './lower')]]);
    expect(fs.lstat('/upper')).toMatchObject({ type: 'hardlink', linkTarget: '/lower', layer: 1 });
    expect((await fs.readFile('/upper')).toString()).toBe('low');
  });

  it('records a problem for a link to a missing target and keeps going', async () => {
    const fs = await fsOf([[hardlink('dangling', 'nowhere'), file('after', 'ok')]]);
    expect(fs.lstat('/dangling')).toBeUndefined();
    expect(fs.problems.map((p) => [p.code, p.path, p.layer])).toEqual([['HARDLINK_MISSING', '/dangling', 0]]);
    expect((await fs.readFile('/after')).toString()).toBe('ok');
  });

  it('refuses a link whose target climbs out of the root', async () => {
    const fs = await fsOf([[file('x'), hardlink('evil', '../../etc/shadow')]]);
    expect(fs.lstat('/evil')).toBeUndefined();
    expect(fs.problems.map((p) => p.code)).toEqual(['UNSAFE_PATH']);
  });
});

describe('symlinks', () => {
  const layers = [
    [
      dir('etc/'),
      file('etc/real', 'REAL'),
      symlink('abs', '/etc/real'),
      symlink('etc/rel', 'real'),
      symlink('etc/escape', '../../../../etc/real'),
      symlink('etc/abs-escape', '/../../etc/real'),
      symlink('loop1', 'loop2'),
      symlink('loop2', 'loop1'),
      symlink('self', 'self'),
      symlink('dangling', '/does/not/exist'),
      dir('usr/'),
      dir('usr/lib/'),
      file('usr/lib/libx.so', 'lib'),
      symlink('lib', 'usr/lib'),
    ],
    [file('lib/added-through-link', 'via link')],
  ];

  it('resolve absolute targets from the image root', async () => {
    const fs = await fsOf(layers);
    expect(fs.realpath('/abs')).toBe('/etc/real');
    expect((await fs.readFile('/abs')).toString()).toBe('REAL');
  });

  it('resolve relative targets from the link directory', async () => {
    const fs = await fsOf(layers);
    expect(fs.realpath('/etc/rel')).toBe('/etc/real');
  });

  it('clamp ".." at the root, so escaping links stay inside the image', async () => {
    const fs = await fsOf(layers);
    expect(fs.realpath('/etc/escape')).toBe('/etc/real');
    expect(fs.realpath('/etc/abs-escape')).toBe('/etc/real');
    expect((await fs.readFile('/etc/escape')).toString()).toBe('REAL');
  });

  it('follow directory links in the middle of a path', async () => {
    const fs = await fsOf(layers);
    expect(fs.realpath('/lib/libx.so')).toBe('/usr/lib/libx.so');
    expect(fs.stat('/lib/libx.so')?.path).toBe('/usr/lib/libx.so');
    expect(fs.lstat('/lib')?.type).toBe('symlink');
    expect(fs.stat('/lib')?.type).toBe('dir');
  });

  it('place entries written under a symlinked directory at the real path', async () => {
    const fs = await fsOf(layers);
    expect(fs.lstat('/usr/lib/added-through-link')).toMatchObject({ type: 'file', layer: 1 });
    expect((await fs.readFile('/lib/added-through-link')).toString()).toBe('via link');
  });

  it('stop at 40 hops with SYMLINK_LOOP naming the path', async () => {
    const fs = await fsOf(layers);
    for (const path of ['/loop1', '/self']) {
      let caught: unknown;
      try {
        fs.stat(path);
      } catch (err) {
        caught = err;
      }
      expect(isPortcullisError(caught, 'SYMLINK_LOOP')).toBe(true);
      expect((caught as Error).message).toContain(path);
    }
    expect(fs.lstat('/loop1')).toMatchObject({ type: 'symlink', linkTarget: 'loop2', size: 5 });
    await expect(fs.readFile('/self')).rejects.toMatchObject({ code: 'SYMLINK_LOOP' });
  });

  it('allow exactly 40 links in a chain and refuse 41', async () => {
    const chain = (n: number) => [
      file('target', 't'),
      ...Array.from({ length: n }, (_, i) => symlink(`l${i}`, i === n - 1 ? 'target' : `l${i + 1}`)),
    ];
    expect((await fsOf([chain(40)])).realpath('/l0')).toBe('/target');
    const fs41 = await fsOf([chain(41)]);
    expect(() => fs41.realpath('/l0')).toThrow(/too many levels of symbolic links/);
  });

  it('treat dangling links as absent', async () => {
    const fs = await fsOf(layers);
    expect(fs.stat('/dangling')).toBeUndefined();
    expect(() => fs.realpath('/dangling')).toThrow(/no such file/);
    await expect(fs.readFile('/dangling')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('resolve ".." physically after a link, and clamp it at the root', async () => {
    const fs = await fsOf(layers);
    // /lib -> usr/lib, so /lib/.. is /usr (the kernel's answer), not / (a lexical shortcut).
    expect(fs.realpath('/lib/..')).toBe('/usr');
    expect(fs.stat('/lib/../etc/real')).toBeUndefined();
    expect(fs.realpath('/lib/../lib/libx.so')).toBe('/usr/lib/libx.so');
    expect(fs.realpath('/../../etc/./real')).toBe('/etc/real');
    expect(fs.realpath('/etc/..')).toBe('/');
  });

  it('apply a whiteout written under a symlinked directory to the real path', async () => {
    const fs = await fsOf([...layers, [file('lib/.wh.libx.so')]]);
    expect(fs.lstat('/usr/lib/libx.so')).toBeUndefined();
    expect(fs.lstat('/usr/lib/added-through-link')?.type).toBe('file');
  });
});
