/**
 * `GET /images/{digest}/vuln/{vulnId}/explain`: why a vulnerability does (or does not) affect an
 * analysed image, from the stored SBOM and findings (nothing is pulled or matched again): each
 * affected package with its layer of origin and the evidence chain (advisory record, namespace,
 * lookup, compared version, matched range, version scheme), or the packages the advisory names
 * whose installed versions are outside it, or that the id is unknown to the data.
 */
import { z } from 'zod';
import type { Finding } from '../../../core/matching/types.js';
import { explainStored } from '../../../core/pipeline/index.js';
import { describeRange } from '../../../core/report/explain.js';
import type { SbomDocument } from '../../../core/sbom/document.js';
import { ApiError } from '../../errors.js';
import { imageDigest } from '../../schemas.js';
import type { RouteDeps, V1 } from '../index.js';
import { analysisPart } from './read.js';

const params = z.object({ imageDigest, vulnId: z.string().min(1).max(256) });

function presentFinding(f: Finding) {
  return {
    vuln: f.id,
    aliases: f.aliases,
    severity: f.severity,
    package_name: f.package.name,
    package_version: f.package.version,
    package_type: f.package.type,
    package_path: f.package.path ?? 'pkgdb',
    purl: f.package.purl,
    origin_layer: f.originLayer ?? null,
    origin: f.origin,
    fix_state: f.fixState,
    fixed_versions: f.fixedVersions,
    confidence: f.confidence,
    suppressed: f.suppressed ?? null,
    evidence: f.evidence.map((e) => ({
      advisory_id: e.advisoryId,
      namespace: e.namespace,
      lookup_name: e.lookupName,
      compared_version: e.comparedVersion,
      scheme: e.scheme,
      strategy: e.strategy,
      matched_range: e.matchedRange ? describeRange(e.matchedRange) : null,
      matched_version: e.matchedVersion ?? null,
      source: e.source,
    })),
  };
}

export function explainRoute(app: V1, deps: RouteDeps): void {
  app.get('/images/:imageDigest/vuln/:vulnId/explain', { schema: { params } }, async (request) => {
    const { imageDigest: digest, vulnId } = request.params;
    const { value: findings } = await analysisPart(deps, request.accountName, digest, 'findings');
    const sbom = (await deps.store.analyses.part(digest, 'sbom')) as SbomDocument | undefined;
    if (!sbom) throw new ApiError(404, 'image analysis not found');
    if (!deps.advisories) throw new ApiError(503, 'vulnerability data is not available in this process');
    const answer = await explainStored({ id: vulnId, findings, document: sbom, data: deps.advisories });
    const common = { imageDigest: digest, vuln: answer.id, status: answer.kind.replace('-', '_') };
    switch (answer.kind) {
      case 'affected':
        return { ...common, findings: answer.findings.map(presentFinding) };
      case 'not-affected':
        return {
          ...common,
          packages: answer.packages.map((p) => ({
            package_name: p.name,
            package_version: p.version,
            package_type: p.type,
            advisory_id: p.advisoryId,
            namespace: p.namespace,
            fixed_versions: p.fixedVersions,
            reason: p.reason,
          })),
        };
      case 'not-present':
        return { ...common, advisories: answer.advisories };
      case 'unknown':
        return common;
    }
  });
}
