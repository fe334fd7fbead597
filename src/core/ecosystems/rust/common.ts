import { PackageURL } from 'packageurl-js';

export function cargoPurl(name: string, version: string): string {
  return new PackageURL('cargo', undefined, name, version, undefined, undefined).toString();
}

export const cargoKey = (name: string, version: string): string => `rust/${name}@${version}`;
