/** Native JSON: the scan report as is (schema/portcullis-scan-1.0.schema.json). */
import type { RenderInput } from './types.js';

export function renderJson({ report }: RenderInput): string {
  return JSON.stringify(report, null, 2) + '\n';
}
