/** The AdmissionReview reply: same apiVersion as asked, the request's uid, allowed, status, warnings. */
import type { Decision } from './decide.js';
import type { Envelope } from './parse.js';

export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

export function reviewResponse(envelope: Envelope, decision: Decision): AdmissionReviewResponse {
  const response: AdmissionReviewResponse['response'] = {
    uid: envelope.uid,
    allowed: decision.allowed,
    // Kubernetes prefixes the keys with the webhook name in the API server's audit log.
    auditAnnotations: { verdict: decision.audit.verdict, mode: decision.audit.mode },
  };
  if (!decision.allowed) {
    response.status = {
      code: 403,
      reason: 'Forbidden',
      message: decision.message ?? 'refused by Portcullis',
    };
  }
  if (decision.warnings.length > 0) response.warnings = decision.warnings;
  return { apiVersion: envelope.apiVersion, kind: 'AdmissionReview', response };
}
