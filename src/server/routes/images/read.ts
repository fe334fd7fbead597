/** Shared lookups of the image routes: the caller's image, its analysis, status errors. */
import type { Finding } from '../../../core/matching/types.js';
import type { SbomDocument } from '../../../core/sbom/document.js';
import type { ImageRecord } from '../../../store/repositories/images.js';
import type { AnalysisMetadata } from '../../../store/repositories/analysis-metadata.js';
import { ApiError } from '../../errors.js';
import type { RouteDeps } from '../index.js';

export async function callerImage(
  deps: RouteDeps,
  accountName: string,
  digest: string,
): Promise<ImageRecord> {
  const image = await deps.store.images.get(accountName, digest);
  if (!image) throw new ApiError(404, 'image data not found in DB');
  return image;
}

/** The analysed image's stored part; 404 with Anchore's status message while not analysed. */
export async function analysisPart<K extends 'sbom' | 'findings' | 'metadata'>(
  deps: RouteDeps,
  accountName: string,
  digest: string,
  part: K,
): Promise<{
  image: ImageRecord;
  value: K extends 'sbom' ? SbomDocument : K extends 'findings' ? Finding[] : AnalysisMetadata;
}> {
  const image = await callerImage(deps, accountName, digest);
  if (image.analysisStatus !== 'analyzed') {
    throw new ApiError(404, `image is not analyzed - analysis_status: ${image.analysisStatus}`);
  }
  const value = await deps.store.analyses.part(digest, part);
  if (value === undefined) throw new ApiError(404, 'image analysis not found');
  return { image, value: value as never };
}
