import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { COSIGN_VULN_PREDICATE, IN_TOTO_STATEMENT_V1, vulnAttestation } from './vuln-attestation.js';

const input = {
  name: 'registry.example/team/app',
  digest: `sha256:${'a'.repeat(64)}`,
  scanner: { uri: 'pkg:npm/portcullis', version: '1.2.3' },
  db: { uri: 'portcullis:vulnerability-data', version: '2026-01-01T00:00:00.000Z' },
  result: { findings: [] },
  startedOn: new Date('2026-01-02T00:00:00Z'),
  finishedOn: new Date('2026-01-02T00:00:05Z'),
};

describe('vulnAttestation', () => {
  it("is an in-toto Statement v1 with cosign's vuln predicate, subject = name + sha256", () => {
    expect(vulnAttestation(input)).toEqual({
      _type: IN_TOTO_STATEMENT_V1,
      subject: [{ name: input.name, digest: { sha256: 'a'.repeat(64) } }],
      predicateType: COSIGN_VULN_PREDICATE,
      predicate: {
        invocation: { parameters: null, uri: '', event_id: '', 'builder.id': '' },
        scanner: { ...input.scanner, db: input.db, result: input.result },
        metadata: { scanStartedOn: '2026-01-02T00:00:00.000Z', scanFinishedOn: '2026-01-02T00:00:05.000Z' },
      },
    });
  });

  it('needs a sha256 manifest digest', () => {
    let caught: unknown;
    try {
      vulnAttestation({ ...input, digest: 'sha512:abc' });
    } catch (err) {
      caught = err;
    }
    expect(isPortcullisError(caught) && caught.code).toBe('INVALID_ARGUMENT');
  });
});
