/** The feed drivers, in import order. Hand-written on purpose: no import side effects. */
import type { FeedDriver } from '../feed.js';
import { alpineSecdbDriver } from './alpine-secdb/index.js';
import { amazonAlasDriver } from './amazon-alas/index.js';
import { debianTrackerDriver } from './debian-tracker/index.js';
import { epssDriver } from './epss/index.js';
import { kevDriver } from './kev/index.js';
import { nvdDriver } from './nvd/index.js';
import { osvDriver } from './osv/index.js';
import { redhatCsafDriver } from './redhat-csaf/index.js';
import { vulnrichmentDriver } from './vulnrichment/index.js';

export const FEED_DRIVERS: readonly FeedDriver[] = Object.freeze([
  osvDriver,
  debianTrackerDriver,
  alpineSecdbDriver,
  redhatCsafDriver,
  amazonAlasDriver,
  nvdDriver,
  vulnrichmentDriver,
  kevDriver,
  epssDriver,
]);

export function feedDriver(id: string): FeedDriver | undefined {
  return FEED_DRIVERS.find((d) => d.id === id);
}
