import { describe, expect, it } from 'vitest';
import { hostContext, nameVersions } from '../npm/test-support/host-fs.js';
import { parseDepsJson } from './parse-deps-json.js';

// No .NET SDK in Debian, so the fixture follows the documented deps.json format
// (dotnet/runtime design docs; the shape the SDK writes on publish).
const DEPS = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0', signature: '' },
  compilationOptions: {},
  targets: {
    '.NETCoreApp,Version=v8.0': {
      'WebApp/1.0.0': {
        dependencies: { 'Newtonsoft.Json': '13.0.3', 'Serilog.AspNetCore': '8.0.0', 'Shared.Lib': '1.0.0' },
        runtime: { 'WebApp.dll': {} },
      },
      'Newtonsoft.Json/13.0.3': {
        runtime: {
          'lib/net6.0/Newtonsoft.Json.dll': { assemblyVersion: '13.0.0.0', fileVersion: '13.0.3.27908' },
        },
      },
      'Serilog.AspNetCore/8.0.0': {
        dependencies: { Serilog: '3.1.1' },
        runtime: { 'lib/net8.0/Serilog.AspNetCore.dll': {} },
      },
      'Serilog/3.1.1': { runtime: { 'lib/net7.0/Serilog.dll': {} } },
      'Shared.Lib/1.0.0': { runtime: { 'Shared.Lib.dll': {} } },
    },
  },
  libraries: {
    'WebApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': {
      type: 'package',
      serviceable: true,
      sha512:
        'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==',
      path: 'newtonsoft.json/13.0.3',
      hashPath: 'newtonsoft.json.13.0.3.nupkg.sha512',
    },
    'Serilog.AspNetCore/8.0.0': {
      type: 'package',
      serviceable: true,
      sha512: 'sha512-x',
      path: 'serilog.aspnetcore/8.0.0',
    },
    'Serilog/3.1.1': { type: 'package', serviceable: true, sha512: 'sha512-y', path: 'serilog/3.1.1' },
    'Shared.Lib/1.0.0': { type: 'project', serviceable: false, sha512: '' },
  },
};

const parse = (text: string) =>
  parseDepsJson({ path: '/app/WebApp.deps.json', contents: Buffer.from(text) }, hostContext());

describe('.NET deps.json', () => {
  it('lists packages (not projects) with NuGet PURLs and runtime-target edges', async () => {
    const result = await parse(JSON.stringify(DEPS));
    expect(result.problems).toEqual([]);
    expect(nameVersions(result)).toEqual([
      'Newtonsoft.Json@13.0.3',
      'Serilog.AspNetCore@8.0.0',
      'Serilog@3.1.1',
    ]);
    expect(result.packages.find((p) => p.name === 'Newtonsoft.Json')?.purl).toBe(
      'pkg:nuget/Newtonsoft.Json@13.0.3',
    );
    expect(result.relationships).toEqual([
      { from: 'dotnet/Serilog.AspNetCore@8.0.0', to: 'dotnet/Serilog@3.1.1', type: 'depends-on' },
    ]);
  });

  it('tolerates a byte-order mark', async () => {
    expect((await parse(`\uFEFF${JSON.stringify(DEPS)}`)).packages.length).toBe(3);
  });

  it.each([
    ['broken JSON', '{"libraries": {'],
    ['no libraries', '{"targets": {}}'],
    ['array', '[]'],
  ])('%s is a recorded problem', async (_label, text) => {
    const result = await parse(text);
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('/app/WebApp.deps.json');
  });

  it('a malformed library id is recorded and the rest still parse', async () => {
    const result = await parse(
      JSON.stringify({ libraries: { NoVersion: { type: 'package' }, 'A/1.0': { type: 'package' } } }),
    );
    expect(nameVersions(result)).toEqual(['A@1.0']);
    expect(result.problems[0]).toContain('NoVersion');
  });
});
