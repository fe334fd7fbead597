/**
 * Sizes as people write them: plain bytes (`1048576`), SI units (`500MB` = 500 * 10^6) and
 * binary units (`2GiB` = 2 * 2^30), case-insensitive, optional space, optional fraction.
 */
import { PortcullisError } from '../errors.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Bytes in `text`; `what` names the option in the error (e.g. `--max-size`). */
export function parseSize(text: string, what: string): number {
  const match = SIZE_RE.exec(text.trim());
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `${what} must be a size such as 500MB, 2GiB or a number of bytes, got "${text}"`,
      { details: { option: what, value: text } },
    );
  }
  return bytes;
}

/** `1.5 GiB`-style text for reports (binary units, as disks are usually sized). */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
