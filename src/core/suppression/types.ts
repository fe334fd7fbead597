/**
 * Shared shapes of the suppression module: the normalized VEX statement both VEX formats are
 * read into, and the report `applySuppressions` returns so callers can show which statements
 * and rules did something, expired, or matched nothing (a stale ignore file is a finding too).
 */
import type { Finding } from '../matching/types.js';

/** OpenVEX statuses and CycloneDX analysis states, kept as written. */
export type VexStatus =
  | 'not_affected'
  | 'affected'
  | 'fixed'
  | 'under_investigation'
  | 'false_positive'
  | 'resolved'
  | 'resolved_with_pedigree'
  | 'exploitable'
  | 'in_triage';

/** What a status does to a finding. */
export type VexEffect = 'suppress' | 'annotate' | 'none';

export function effectOf(status: VexStatus): VexEffect {
  switch (status) {
    case 'not_affected':
    case 'false_positive':
    case 'fixed':
    case 'resolved':
    case 'resolved_with_pedigree':
      return 'suppress';
    case 'affected':
    case 'exploitable':
      return 'annotate';
    default:
      return 'none';
  }
}

/** A product a statement is about: a PURL, or a CycloneDX bom-ref resolved where possible. */
export interface ProductRef {
  purl?: string;
  /** Raw reference (OpenVEX @id, CycloneDX bom-ref) for matching package ids. */
  ref?: string;
  /** Packages inside the product (OpenVEX subcomponents); empty = the product itself. */
  subcomponents: ProductRef[];
}

export interface VexStatement {
  format: 'openvex' | 'cyclonedx';
  /** File (or label) the statement came from. */
  source: string;
  /** JSON path of the statement inside its document, e.g. `statements[2]`. */
  location: string;
  vulnerability: string;
  aliases: string[];
  products: ProductRef[];
  status: VexStatus;
  justification?: string;
  /** impact_statement (OpenVEX) or analysis.detail (CycloneDX). */
  detail?: string;
  action?: string;
  /** ISO timestamp used to pick the latest statement; absent sorts oldest. */
  timestamp?: string;
  /** Position across all documents given, so equal timestamps resolve to the later one. */
  order: number;
}

export interface VexDocument {
  source: string;
  statements: VexStatement[];
}

/** Why a finding is annotated without being suppressed (affected / exploitable). */
export interface Annotation {
  findingId: string;
  packageId: string;
  by: 'vex';
  status: VexStatus;
  note: string;
}

export interface StatementOutcome {
  source: string;
  location: string;
  vulnerability: string;
  status: VexStatus;
  /** Findings this statement decided (it was the latest one for them). */
  applied: number;
  /** Findings it matched but a later statement overrode. */
  overridden: number;
}

export interface RuleOutcome {
  index: number;
  vulnerability?: string;
  status: 'applied' | 'expired' | 'unmatched';
  matched: number;
  expires?: string;
}

export interface ChangelogOutcome {
  packagesRead: number;
  suppressed: number;
  /** Changelogs present but unreadable (not gzip, too large, ...): recorded, never fatal. */
  problems: { path: string; reason: string }[];
}

export interface SuppressionReport {
  statements: StatementOutcome[];
  rules: RuleOutcome[];
  changelog?: ChangelogOutcome;
  annotations: Annotation[];
}

export interface SuppressionResult {
  findings: Finding[];
  report: SuppressionReport;
}
