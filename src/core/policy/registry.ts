/**
 * The gate registry: an explicit list (no import side effects). Validation, evaluation and the
 * policy spec are all generated from it.
 */
import type { EolGate, GateDefinition, TriggerDefinition } from './gate.js';
import { alwaysGate } from './gates/always.js';
import { dockerfileGate } from './gates/dockerfile.js';
import { filesGate } from './gates/files.js';
import { licensesGate } from './gates/licenses.js';
import { malwareGate } from './gates/malware.js';
import { metadataGate } from './gates/metadata.js';
import { npmsGate } from './gates/npms.js';
import { packagesGate } from './gates/packages.js';
import { passwdFileGate } from './gates/passwd-file.js';
import { retrievedFilesGate } from './gates/retrieved-files.js';
import { rubyGemsGate } from './gates/ruby-gems.js';
import { secretScansGate } from './gates/secret-scans.js';
import { vulnerabilitiesGate } from './gates/vulnerabilities.js';

export const GATES: readonly GateDefinition[] = [
  vulnerabilitiesGate,
  packagesGate,
  dockerfileGate,
  filesGate,
  passwdFileGate,
  retrievedFilesGate,
  secretScansGate,
  licensesGate,
  metadataGate,
  npmsGate,
  rubyGemsGate,
  malwareGate,
  alwaysGate,
];

/** Anchore's end-of-life gates: refused at validation with the gate that replaced them. */
export const EOL_GATES: readonly EolGate[] = [
  {
    name: 'anchoresec',
    triggers: [
      'vulnlow',
      'vulnmedium',
      'vulnhigh',
      'vulncritical',
      'vulnunknown',
      'feedoutofdate',
      'unsupporteddistro',
    ],
    replacement: 'vulnerabilities',
  },
  { name: 'pkgcheck', triggers: ['pkgnotpresent', 'verify'], replacement: 'packages' },
  { name: 'pkgblacklist', triggers: ['pkgfullmatch', 'pkgnamematch'], replacement: 'packages' },
  {
    name: 'dockerfilecheck',
    triggers: [
      'directivecheck',
      'effectiveuser',
      'expose',
      'nofrom',
      'fromscratch',
      'notag',
      'sudo',
      'volumepresent',
      'nohealthcheck',
      'nodockerfile',
    ],
    replacement: 'dockerfile',
  },
  { name: 'filecheck', triggers: ['contentmatch', 'filenamematch', 'suidsgidcheck'], replacement: 'files' },
  {
    name: 'fileparse_passwd',
    triggers: ['filenotstored', 'usernamematch', 'useridmatch', 'groupidmatch', 'shellmatch', 'pentrymatch'],
    replacement: 'passwd_file',
  },
  {
    name: 'gemcheck',
    triggers: [
      'gemnotlatest',
      'gemnotofficial',
      'gembadversion',
      'gempkgfullmatch',
      'gempkgnamematch',
      'gemnofeed',
    ],
    replacement: 'ruby_gems',
  },
  {
    name: 'npmcheck',
    triggers: [
      'npmnotlatest',
      'npmnotofficial',
      'npmbadversion',
      'npmpkgfullmatch',
      'npmpkgnamematch',
      'npmnofeed',
    ],
    replacement: 'npms',
  },
  { name: 'metadatacheck', triggers: ['attributecheck'], replacement: 'metadata' },
  { name: 'licblacklist', triggers: ['licfullmatch', 'licsubmatch'], replacement: 'licenses' },
  { name: 'secretcheck', triggers: ['contentmatch'], replacement: 'secret_scans' },
  { name: 'pkgdiff', triggers: ['pkgversiondiff', 'pkgadd', 'pkgdel', 'pkgdiff'], replacement: 'packages' },
  {
    name: 'suiddiff',
    triggers: ['suidmodediff', 'suidfileadd', 'suidfiledel', 'suiddiff'],
    replacement: 'files',
  },
  { name: 'imagecheck', triggers: ['baseoutofdate'], replacement: 'vulnerabilities' },
];

const byName = new Map(GATES.map((g) => [g.name, g]));

/** Gate names are matched case-insensitively, as Anchore did. */
export function findGate(name: string): GateDefinition | undefined {
  return byName.get(name.toLowerCase());
}

export function findTrigger(gate: GateDefinition, name: string): TriggerDefinition | undefined {
  const lower = name.toLowerCase();
  return gate.triggers.find((t) => t.name === lower);
}

export function findEolGate(name: string): EolGate | undefined {
  const lower = name.toLowerCase();
  return EOL_GATES.find((g) => g.name === lower);
}
