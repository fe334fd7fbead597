/**
 * A new archive rule from the caller's (already schema-checked) request: the checks that need
 * the caller (only an admin makes system_global rules) or combine fields.
 */
import type { NewArchiveRule, RuleExclusion, RuleSelector } from '../store/repositories/archive-rules.js';
import { ArchiveFailure } from './images.js';

export interface RuleRequest {
  transition: 'archive' | 'delete';
  analysisAgeDays: number;
  tagVersionsNewer: number;
  systemGlobal: boolean;
  selector: RuleSelector;
  exclude: RuleExclusion | null;
  maxImagesPerAccount: number | null;
}

export function newRule(
  request: RuleRequest,
  caller: { accountName: string; isAdmin: boolean },
): NewArchiveRule {
  if (request.systemGlobal && !caller.isAdmin) {
    throw new ArchiveFailure('forbidden', 'only an admin account may create a system_global archive rule');
  }
  if (request.maxImagesPerAccount !== null && !request.systemGlobal) {
    throw new ArchiveFailure('invalid', 'max_images_per_account is allowed only on a system_global rule');
  }
  return { accountName: caller.accountName, ...request };
}
