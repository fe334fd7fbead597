/**
 * An in-toto Statement v1 carrying cosign's vulnerability predicate
 * (https://cosign.sigstore.dev/attestation/vuln/v1): `cosign attest --type vuln --predicate`
 * takes the predicate, and verifiers (Kyverno's `attestations` conditions, policy-controller)
 * read `scanner.result` and `metadata`. The subject is the image's name and manifest digest.
 */
import { PortcullisError } from '../errors.js';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const COSIGN_VULN_PREDICATE = 'https://cosign.sigstore.dev/attestation/vuln/v1';

export interface CosignVulnPredicate {
  invocation: { parameters: unknown; uri: string; event_id: string; 'builder.id': string };
  scanner: { uri: string; version: string; db: { uri: string; version: string }; result: unknown };
  metadata: { scanStartedOn: string; scanFinishedOn: string };
}

export interface VulnStatement {
  _type: typeof IN_TOTO_STATEMENT_V1;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: typeof COSIGN_VULN_PREDICATE;
  predicate: CosignVulnPredicate;
}

export interface VulnAttestationInput {
  /** The image's name without tag or digest, e.g. `registry.example/team/app`. */
  name: string;
  /** The manifest digest, `sha256:<hex>`. */
  digest: string;
  scanner: { uri: string; version: string };
  db: { uri: string; version: string };
  /** The scan report, as the scanner writes it. */
  result: unknown;
  startedOn: Date;
  finishedOn: Date;
  /** What ran the scan (CLI arguments, CI run URL); empty strings when unknown. */
  invocation?: Partial<CosignVulnPredicate['invocation']>;
}

export function vulnAttestation(input: VulnAttestationInput): VulnStatement {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(input.digest)?.[1];
  if (!hex)
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `an attestation's subject needs the image's sha256 manifest digest, got "${input.digest}"`,
    );
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: input.name, digest: { sha256: hex } }],
    predicateType: COSIGN_VULN_PREDICATE,
    predicate: {
      invocation: {
        parameters: input.invocation?.parameters ?? null,
        uri: input.invocation?.uri ?? '',
        event_id: input.invocation?.event_id ?? '',
        'builder.id': input.invocation?.['builder.id'] ?? '',
      },
      scanner: { ...input.scanner, db: input.db, result: input.result },
      metadata: {
        scanStartedOn: input.startedOn.toISOString(),
        scanFinishedOn: input.finishedOn.toISOString(),
      },
    },
  };
}
