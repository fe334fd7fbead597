import { normalizeLicense } from '../../sbom/license-names.js';
import { header, headers, type CoreMetadata } from './parse-core-metadata.js';

/** Trove license classifiers → SPDX ids, for the common ones (facts from the SPDX list). */
const CLASSIFIER_SPDX: Record<string, string> = {
  'MIT License': 'MIT',
  'Apache Software License': 'Apache-2.0',
  'BSD License': 'BSD-3-Clause',
  'ISC License (ISCL)': 'ISC',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'Python Software Foundation License': 'PSF-2.0',
  'The Unlicense (Unlicense)': 'Unlicense',
  'Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
};

/** A `License:` header longer than this is the full license text, not a name. */
const MAX_LICENSE_NAME = 100;

/**
 * Preference order: PEP 639 `License-Expression` (already SPDX), then a short `License:` value,
 * then trove classifiers.
 */
export function pythonLicenses(meta: CoreMetadata): string[] {
  const expression = header(meta, 'License-Expression');
  if (expression !== undefined && expression !== '') return [expression];
  const declared = header(meta, 'License');
  if (
    declared !== undefined &&
    declared !== '' &&
    declared !== 'UNKNOWN' &&
    !declared.includes('\n') &&
    declared.length <= MAX_LICENSE_NAME
  ) {
    return [normalizeLicense(declared)];
  }
  const out: string[] = [];
  for (const classifier of headers(meta, 'Classifier')) {
    const m = /^License :: (?:OSI Approved :: )?(.+)$/.exec(classifier);
    if (m?.[1] === undefined || m[1] === 'OSI Approved') continue;
    out.push(CLASSIFIER_SPDX[m[1]] ?? m[1]);
  }
  return [...new Set(out)];
}
