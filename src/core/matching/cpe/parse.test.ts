import { describe, it, expect } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import { acceptsValue, parseCpe23 } from './parse.js';

describe('parseCpe23 (NISTIR 7695 formatted strings)', () => {
  it('reads every attribute, ANY (*) and NA (-)', () => {
    const cpe = parseCpe23('cpe:2.3:a:pull_it_project:pull_it:*:*:*:*:*:node.js:-:*');
    expect(cpe.part).toEqual({ kind: 'value', value: 'a' });
    expect(cpe.vendor).toEqual({ kind: 'value', value: 'pull_it_project' });
    expect(cpe.product).toEqual({ kind: 'value', value: 'pull_it' });
    expect(cpe.version).toEqual({ kind: 'any' });
    expect(cpe.targetSw).toEqual({ kind: 'value', value: 'node.js' });
    expect(cpe.targetHw).toEqual({ kind: 'na' });
  });

  it('unquotes backslash escapes, including an escaped colon, and lower-cases', () => {
    const cpe = parseCpe23(
      'cpe:2.3:a:hp:insight_diagnostics:7\\.4\\.0\\.1570:-:*:*:online:win2003\\:x64:*:*',
    );
    expect(cpe.version).toEqual({ kind: 'value', value: '7.4.0.1570' });
    expect(cpe.swEdition).toEqual({ kind: 'value', value: 'online' });
    expect(cpe.targetSw).toEqual({ kind: 'value', value: 'win2003:x64' });
    expect(parseCpe23('cpe:2.3:a:Foo:Bar\\*:1:*:*:*:*:*:*:*').product).toEqual({
      kind: 'value',
      value: 'bar*',
    });
  });

  it('treats unquoted * and ? inside a value as wildcards', () => {
    const cpe = parseCpe23('cpe:2.3:a:foo:bar:1.*:*:*:*:*:*:*:*');
    expect(acceptsValue(cpe.version, '1.2')).toBe(true);
    expect(acceptsValue(cpe.version, '2.2')).toBe(false);
    const one = parseCpe23('cpe:2.3:a:foo:ba?:1:*:*:*:*:*:*:*');
    expect(acceptsValue(one.product, 'bar')).toBe(true);
    expect(acceptsValue(one.product, 'barr')).toBe(false);
  });

  it('NA accepts nothing, ANY everything', () => {
    expect(acceptsValue({ kind: 'na' }, 'x')).toBe(false);
    expect(acceptsValue({ kind: 'any' }, 'x')).toBe(true);
  });

  const bad: [string, string][] = [
    ['cpe:/a:foo:bar:1.0', 'does not start with cpe:2.3:'],
    ['cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*', '10 attributes, expected 11'],
    ['cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*:*:*', '12 attributes, expected 11'],
    ['cpe:2.3:x:foo:bar:1.0:*:*:*:*:*:*:*', 'part must be a, o or h'],
    ['cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*:\\', 'trailing backslash'],
    ['cpe:2.3:a::bar:1.0:*:*:*:*:*:*:*', 'empty vendor'],
    ['cpe:2.3:a:foo:b ar:1.0:*:*:*:*:*:*:*', 'unquoted " " in product'],
    [`cpe:2.3:a:foo:${'x'.repeat(2000)}:1:*:*:*:*:*:*:*`, 'longer than 1024 characters'],
  ];
  it.each(bad.map(([input, why]) => [input.slice(0, 60), input, why]))(
    'rejects %s with INVALID_CPE naming the string',
    (_label, input, why) => {
      let caught: unknown;
      try {
        parseCpe23(input);
      } catch (err) {
        caught = err;
      }
      expect(isPortcullisError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'INVALID_CPE' });
      expect((caught as Error).message).toContain(why);
      expect((caught as Error).message).toContain(input.slice(0, 20));
    },
  );
});
