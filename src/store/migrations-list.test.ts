/**
 * Every wing's migration file is in the one list, in id order. A merge once dropped four wings
 * from the list: their tables never existed and every route that read them answered 500.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, type Migration } from './migrations.js';

describe('the migration list', () => {
  it('holds every migration of every file under migrations/', async () => {
    const dir = join(import.meta.dirname, 'migrations');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(0);
    const listed = new Set(MIGRATIONS.map((m) => m.id));
    for (const file of files) {
      const module = (await import(join(dir, file))) as Record<string, unknown>;
      const lists = Object.values(module).filter(
        (v): v is readonly Migration[] => Array.isArray(v) && v.every((m) => typeof m?.id === 'number'),
      );
      expect(lists.length, file).toBeGreaterThan(0);
      for (const m of lists.flat()) expect(listed.has(m.id), `${file}: migration ${m.id}`).toBe(true);
    }
  });

  it('runs in strictly ascending id order', () => {
    const ids = MIGRATIONS.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
