import { PackageURL } from 'packageurl-js';

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower-cased. */
export function normalizePythonName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export function pythonPurl(name: string, version: string): string {
  return new PackageURL(
    'pypi',
    undefined,
    normalizePythonName(name),
    version,
    undefined,
    undefined,
  ).toString();
}
