/** The `packages` gate: distro (OS) packages, as Anchore's gate checked them. */
import { OS_PACKAGE_TYPES, type GateDefinition } from '../gate.js';

export const packagesGate: GateDefinition = {
  name: 'packages',
  description: 'Checks the distro packages installed in the image.',
  state: 'active',
  triggers: [
    {
      name: 'required_package',
      description: 'Fires when the named package is missing, or not at the required version.',
      state: 'active',
      params: [
        {
          name: 'name',
          description: 'Package name.',
          required: true,
          validator: { type: 'string' },
          example: 'libssl',
        },
        {
          name: 'version',
          description: 'Required version.',
          required: false,
          validator: { type: 'string' },
          example: '1.10.3-rc3',
        },
        {
          name: 'version_match_type',
          description: 'exact: the version must equal version; minimum: it must be at least version.',
          required: false,
          validator: { type: 'enum', values: ['exact', 'minimum'] },
          example: 'exact',
          default: 'exact',
        },
      ],
      evaluate: ({ input, params, services }) => {
        const name = params.str('name') ?? '';
        const version = params.str('version');
        const installed = input.packages.filter((p) => OS_PACKAGE_TYPES.has(p.type) && p.name === name);
        if (installed.length === 0) return [{ message: `Required package ${name} not present in image` }];
        if (version === undefined) return [];
        const minimum = params.str('version_match_type') === 'minimum';
        const satisfied = installed.some((p) =>
          minimum ? (services.compareVersions(p.type, p.version, version) ?? -1) >= 0 : p.version === version,
        );
        if (satisfied) return [];
        const have = installed.map((p) => p.version).join(', ');
        return [
          {
            message: `Required package ${name} is at version ${have}, ${minimum ? 'below the minimum' : 'not the exact'} version ${version}`,
          },
        ];
      },
    },
    {
      name: 'verify',
      description:
        'Fires for each package file that is changed or missing compared with the package database.',
      state: 'active',
      params: [
        {
          name: 'only_packages',
          description: 'Only check these packages (comma-separated).',
          required: false,
          validator: { type: 'string-list' },
          example: 'libssl,openssl',
        },
        {
          name: 'only_directories',
          description: 'Only check files under these directories (comma-separated).',
          required: false,
          validator: { type: 'string-list' },
          example: '/usr,/var/lib',
        },
        {
          name: 'check',
          description: 'Only report this kind of difference; both when unset.',
          required: false,
          validator: { type: 'enum', values: ['changed', 'missing'] },
          example: 'changed',
        },
      ],
      evaluate: ({ input, params }) => {
        const packages = params.strings('only_packages');
        const dirs = params.strings('only_directories')?.map((d) => (d.endsWith('/') ? d : `${d}/`));
        const check = params.str('check');
        return (input.packageFileIssues ?? [])
          .filter((i) => !packages?.length || packages.includes(i.package))
          .filter((i) => !dirs?.length || dirs.some((d) => i.path.startsWith(d)))
          .filter((i) => check === undefined || i.issue === check)
          .map((i) => ({
            message: `Package ${i.package} file ${i.path} is ${i.issue} compared with the package database`,
          }));
      },
    },
    {
      name: 'blacklist',
      description: 'Fires for each installed distro package with the given name (and version, if set).',
      state: 'active',
      params: [
        {
          name: 'name',
          description: 'Package name.',
          required: true,
          validator: { type: 'string' },
          example: 'openssh-server',
        },
        {
          name: 'version',
          description: 'Only this version.',
          required: false,
          validator: { type: 'string' },
          example: '1.0.1',
        },
      ],
      evaluate: ({ input, params }) => {
        const name = params.str('name') ?? '';
        const version = params.str('version');
        return input.packages
          .filter(
            (p) =>
              OS_PACKAGE_TYPES.has(p.type) &&
              p.name === name &&
              (version === undefined || p.version === version),
          )
          .map((p) => ({
            message: `Package is blacklisted: ${p.name}-${p.version}`,
            package: { name: p.name, version: p.version },
          }));
      },
    },
  ],
};
