/** Every benchmark, listed by hand (no import side effects). Add new ones here. */
import { cliStartBenchmark, cliWarmRescanBenchmark } from './cli-process.js';
import {
  admissionPgliteBenchmark,
  admissionPgliteMemoryBenchmark,
  admissionPostgresBenchmark,
} from './admission.js';
import {
  indexOnlyBenchmark,
  readAllFilesBenchmark,
  readAllOnePassBenchmark,
  readContentsBenchmark,
} from './layered-fs.js';
import { MONITOR_BENCHMARKS } from './monitor.js';
import { NOTIFY_BENCHMARKS } from './notify.js';
import { policyEvaluateBenchmark } from './policy.js';
import { promotionBenchmark } from './promotion.js';
import { promotionUploadBenchmark } from './promotion-upload.js';
import { queueThroughputBenchmark } from './queue-throughput.js';
import {
  registryPullBenchmark,
  registryPullSequentialBenchmark,
  registryPullThrottledBenchmark,
  registryPullThrottledSequentialBenchmark,
} from './registry-pull.js';
import { serveAddImageBenchmark } from './serve-add-image.js';
import { serveStartBenchmark } from './serve-start.js';
import { serveVulnPgliteBenchmark, serveVulnPostgresBenchmark } from './serve-vuln.js';
import { sbomColdBenchmark, sbomVersusCdxgenBenchmark, sbomWarmBenchmark } from './sbom-benchmarks.js';
import type { Benchmark } from './types.js';
import { uiImagesPgliteBenchmark, uiImagesPostgresBenchmark } from './ui.js';
import { vulndbImportBenchmark } from './vulndb-import.js';
import { vulndbMatchBenchmark, vulndbMatchColdBenchmark, vulndbOpenBenchmark } from './vulndb-match.js';
import {
  vulndbReadDuringImportPgliteBenchmark,
  vulndbReadDuringImportPostgresBenchmark,
} from './vulndb-read-during-import.js';

export const BENCHMARKS: readonly Benchmark[] = [
  readAllOnePassBenchmark,
  readAllFilesBenchmark,
  indexOnlyBenchmark,
  readContentsBenchmark,
  policyEvaluateBenchmark,
  vulndbImportBenchmark,
  vulndbMatchBenchmark,
  vulndbMatchColdBenchmark,
  vulndbOpenBenchmark,
  vulndbReadDuringImportPgliteBenchmark,
  vulndbReadDuringImportPostgresBenchmark,
  sbomColdBenchmark,
  sbomWarmBenchmark,
  sbomVersusCdxgenBenchmark,
  registryPullBenchmark,
  registryPullSequentialBenchmark,
  registryPullThrottledBenchmark,
  registryPullThrottledSequentialBenchmark,
  queueThroughputBenchmark,
  serveStartBenchmark,
  serveVulnPgliteBenchmark,
  serveVulnPostgresBenchmark,
  serveAddImageBenchmark,
  cliStartBenchmark,
  cliWarmRescanBenchmark,
  admissionPgliteBenchmark,
  admissionPgliteMemoryBenchmark,
  admissionPostgresBenchmark,
  uiImagesPgliteBenchmark,
  uiImagesPostgresBenchmark,
  ...MONITOR_BENCHMARKS,
  ...NOTIFY_BENCHMARKS,
  promotionBenchmark,
  promotionUploadBenchmark,
];
