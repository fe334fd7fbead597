/** Namespace-label rules, decided in process over the same in-memory ports as the TLS suites. */
import { describe, expect, it } from 'vitest';
import { parseAdmissionConfigText } from './config.js';
import { AdmissionDecider } from './decide.js';
import { BUILTIN_WORKLOAD_KINDS } from './kinds.js';
import { parseAdmissionReview } from './parse.js';
import {
  admissionReview,
  CVE_REASON,
  INIT_DIGEST,
  MAIN_DIGEST,
  MAIN_IMAGE,
  memoryPorts,
} from './test-support.js';

const CONFIG = parseAdmissionConfigText(`
rules:
  - {namespaceLabels: {env: prod}, mode: policy}
  - {namespaces: ["*"], mode: breakglass}
`);

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'web', image: MAIN_IMAGE }] },
};

describe('rules with namespace labels', () => {
  it('needs a NamespaceLabelSource', () => {
    expect(() => new AdmissionDecider(CONFIG, memoryPorts())).toThrow(/NamespaceLabelSource/);
  });

  it('selects by the looked-up labels, and fails closed when the lookup fails', async () => {
    const ports = memoryPorts();
    ports.digests.tags.set(MAIN_IMAGE, MAIN_DIGEST);
    ports.verdicts.pass(INIT_DIGEST);
    ports.verdicts.fail(MAIN_DIGEST, [CVE_REASON]);
    const labels: Record<string, Record<string, string>> = { shop: { env: 'prod' }, sandbox: { env: 'dev' } };
    ports.namespaceLabels = {
      async labels(namespace) {
        const found = labels[namespace];
        if (!found) throw new Error(`namespaces "${namespace}" is forbidden`);
        return found;
      },
    };
    const decider = new AdmissionDecider(CONFIG, ports);
    const decide = (namespace: string) =>
      decider.decide(parseAdmissionReview(admissionReview(POD, { namespace }), BUILTIN_WORKLOAD_KINDS));

    const prod = await decide('shop');
    expect(prod.allowed).toBe(false);
    expect(prod.audit.mode).toBe('policy');

    const dev = await decide('sandbox');
    expect(dev.allowed).toBe(true);
    expect(dev.audit.mode).toBe('breakglass');

    const unknown = await decide('secret-ns');
    expect(unknown.allowed).toBe(false);
    expect(unknown.message).toMatch(/namespace labels unavailable/);
    expect(unknown.audit.reasons.join()).toMatch(/forbidden/);
  });
});

describe('revocation bound without change notifications', () => {
  it('keeps a verdict for at most verdictCache.freshMilliseconds, then reads the store again', async () => {
    let clock = new Date('2026-06-01T12:00:00Z');
    const ports = memoryPorts(() => clock);
    // A lost notification: the webhook hears of no change and relies on the bound alone.
    delete (ports as Partial<typeof ports>).changes;
    ports.digests.tags.set(MAIN_IMAGE, MAIN_DIGEST);
    ports.verdicts.pass(MAIN_DIGEST);
    const config = parseAdmissionConfigText(`
verdictCache: {freshMilliseconds: 1000}
rules:
  - {namespaces: ["*"], mode: policy}
`);
    const decider = new AdmissionDecider(config, ports);
    const decide = () =>
      decider.decide(
        parseAdmissionReview(admissionReview(POD, { namespace: 'apps' }), BUILTIN_WORKLOAD_KINDS),
      );
    expect((await decide()).allowed).toBe(true);
    ports.verdicts.fail(MAIN_DIGEST, [CVE_REASON]);
    clock = new Date(clock.getTime() + 1_000);
    expect((await decide()).allowed).toBe(true); // still within the bound
    clock = new Date(clock.getTime() + 1);
    const revoked = await decide();
    expect(revoked.allowed).toBe(false);
    expect(revoked.audit.stale).toBe(false);
  });
});
