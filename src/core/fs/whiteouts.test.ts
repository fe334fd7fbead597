/**
 * Whiteout semantics, expectations written from the OCI image spec ("Whiteouts", "Opaque
 * Whiteout", "Changeset over existing files") as literal tables.
 */
import { describe, expect, it } from 'vitest';
import { dir, file } from './test-support/build-image.js';
import { fsOf } from './test-support/fs-for.js';
import type { LayeredFilesystem } from './layered-filesystem.js';

const listing = (fs: LayeredFilesystem) =>
  fs.entries().map((e) => `${e.type} ${e.path} @${e.layer} [${e.layers.join(',')}]`);

describe('whiteouts', () => {
  it('deletes a file from a lower layer', async () => {
    const fs = await fsOf([[dir('etc/'), file('etc/a', 'A'), file('etc/b', 'B')], [file('etc/.wh.a')]]);
    expect(listing(fs)).toEqual(['dir /etc @0 [0]', 'file /etc/b @0 [0]']);
    expect(fs.problems).toEqual([]);
  });

  it('deletes a directory and everything below it', async () => {
    const fs = await fsOf([[dir('d/'), dir('d/x/'), file('d/x/y', 'y'), file('keep', 'k')], [file('.wh.d')]]);
    expect(listing(fs)).toEqual(['file /keep @0 [0]']);
  });

  it.each([
    ['after', [dir('a/'), dir('a/b/'), dir('a/b/c/'), file('a/b/c/foo', 'foo'), file('a/.wh..wh..opq')]],
    ['before', [dir('a/'), file('a/.wh..wh..opq'), dir('a/b/'), dir('a/b/c/'), file('a/b/c/foo', 'foo')]],
  ])('applies an opaque marker (%s the new content) only to lower layers', async (_where, top) => {
    const fs = await fsOf([
      [dir('a/'), dir('a/b/'), dir('a/b/c/'), file('a/b/c/bar', 'bar'), file('a/z', 'z')],
      top,
    ]);
    expect(listing(fs)).toEqual([
      'dir /a @1 [0,1]',
      'dir /a/b @1 [1]',
      'dir /a/b/c @1 [1]',
      'file /a/b/c/foo @1 [1]',
    ]);
    expect(await fs.readFile('/a/b/c/foo')).toEqual(Buffer.from('foo'));
  });

  it('ignores a whiteout of something that never existed, but shows it in the layer view', async () => {
    const fs = await fsOf([[file('x', 'x')], [file('.wh.ghost'), dir('etc/'), file('etc/.wh..wh..opq')]]);
    expect(listing(fs)).toEqual(['dir /etc @1 [1]', 'file /x @0 [0]']);
    expect(fs.problems).toEqual([]);
    expect(fs.layerEntries(1).map((e) => `${e.type} ${e.path}`)).toEqual(
      ['dir /etc', 'opaque /etc', 'whiteout /ghost'].sort(),
    );
  });

  it('replaces a file by a directory', async () => {
    const fs = await fsOf([[file('x', 'was a file')], [dir('x/'), file('x/y', 'y')]]);
    expect(listing(fs)).toEqual(['dir /x @1 [0,1]', 'file /x/y @1 [1]']);
  });

  it('replaces a directory by a file, dropping what was below it', async () => {
    const fs = await fsOf([
      [dir('y/'), file('y/z', 'z'), dir('y/sub/'), file('y/sub/deep')],
      [file('y', 'now a file')],
    ]);
    expect(listing(fs)).toEqual(['file /y @1 [0,1]']);
    expect((await fs.readFile('/y')).toString()).toBe('now a file');
  });

  it('does not hide a file written in the same layer as its whiteout', async () => {
    const fs = await fsOf([[file('f', 'old')], [file('f', 'new'), file('.wh.f')]]);
    // The lower "old" is deleted, then this layer's "new" is created: a fresh history.
    expect(listing(fs)).toEqual(['file /f @1 [1]']);
    expect((await fs.readFile('/f')).toString()).toBe('new');
  });

  it('starts a new history for a path deleted and re-created', async () => {
    const fs = await fsOf([[file('p', '0')], [file('.wh.p')], [file('p', '2')], [file('p', '3')]]);
    expect(listing(fs)).toEqual(['file /p @3 [2,3]']);
    expect(fs.layers.map((l) => l.index)).toEqual([0, 1, 2, 3]);
  });

  it('lets an opaque marker at the root hide every lower path', async () => {
    const fs = await fsOf([
      [dir('etc/'), file('etc/a')],
      [file('.wh..wh..opq'), file('new')],
    ]);
    expect(listing(fs)).toEqual(['file /new @1 [1]']);
  });

  it('creates missing parent directories implicitly', async () => {
    const fs = await fsOf([[file('deep/er/file', 'x')]]);
    expect(fs.entries().map((e) => [e.path, e.type, e.mode.toString(8), e.implicit ?? false])).toEqual([
      ['/deep', 'dir', '755', true],
      ['/deep/er', 'dir', '755', true],
      ['/deep/er/file', 'file', '644', false],
    ]);
  });
});
