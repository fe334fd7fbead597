/** Every SBOM output format, rendered from one native document to the exact bytes to write. */
import { renderColumns } from '../../report/columns.js';
import type { SbomDocument } from '../document.js';
import { toCycloneDxJson } from './cyclonedx.js';
import { toSpdxJson } from './spdx.js';
import { tableRows, toNativeJson, toPurlList } from './text.js';

export const SBOM_FORMATS = ['native', 'cyclonedx-json', 'spdx-json', 'table', 'purls'] as const;
export type SbomOutputFormat = (typeof SBOM_FORMATS)[number];

/** The document in the requested format, as the exact bytes to print or write. */
export function renderSbom(doc: SbomDocument, format: SbomOutputFormat): string {
  switch (format) {
    case 'native':
      return toNativeJson(doc) + '\n';
    case 'cyclonedx-json':
      return toCycloneDxJson(doc) + '\n';
    case 'spdx-json':
      return toSpdxJson(doc) + '\n';
    case 'purls':
      return doc.packages.length === 0 ? '' : toPurlList(doc);
    case 'table':
      return renderColumns(['name', 'version', 'type', 'origin layer', 'owned by'], tableRows(doc));
  }
}
