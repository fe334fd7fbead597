/**
 * `POST /admission/validate`: the validating webhook as a fastify plugin. Register it
 * encapsulated (not wrapped with fastify-plugin): it installs its own body parser so that any
 * body up to the limit, JSON or not, gets a well-formed AdmissionReview answer. Bodies over the
 * limit get HTTP 413 (the API server never sends more than ~3 MiB; with failurePolicy Fail the
 * request is then refused by Kubernetes itself).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AdmissionConfig } from './config.js';
import { AdmissionDecider, type Decision } from './decide.js';
import { decideInvalid } from './decide-invalid.js';
import { invalidReview, parseAdmissionReview, type ParsedReview } from './parse.js';
import type { AdmissionPorts } from './ports.js';
import { reviewResponse } from './response.js';

export const ADMISSION_PATH = '/admission/validate';
export const DEFAULT_ADMISSION_BODY_LIMIT = 3 * 1024 * 1024;

export interface AdmissionPluginOptions {
  config: Readonly<AdmissionConfig>;
  ports: AdmissionPorts;
  bodyLimit?: number;
  /** Called with each decision after the answer is built (metrics, tests). */
  onDecision?: (decision: Decision) => void;
}

function decodeJson(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    // Not JSON: parsing reports "not an AdmissionReview" and the answer stays well-formed.
    return undefined;
  }
}

export const admissionPlugin: FastifyPluginAsync<AdmissionPluginOptions> = async (app, options) => {
  const decider = new AdmissionDecider(options.config, options.ports);
  const unsubscribe = options.ports.changes?.subscribe(() => decider.invalidate());
  if (unsubscribe) app.addHook('onClose', async () => unsubscribe());
  const bodyLimit = options.bodyLimit ?? DEFAULT_ADMISSION_BODY_LIMIT;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.post(ADMISSION_PATH, { bodyLimit }, async (request, reply) => {
    const parsed: ParsedReview = parseAdmissionReview(decodeJson(request.body), decider.kinds);
    const envelope = parsed.ok ? parsed.request.envelope : parsed.invalid.envelope;
    let decision: Decision;
    try {
      decision = await decider.decide(parsed);
    } catch (err) {
      // A bug of ours: still a well-formed refusal, never a 500 the API server must interpret.
      request.log.error({ err }, 'admission decision failed');
      decision = decideInvalid(
        invalidReview(envelope, 'internal error while deciding'),
        options.config,
        [],
        new Date(),
      );
    }
    // The answer does not wait for the audit row; a failed write is our problem, logged.
    Promise.resolve()
      .then(() => options.ports.audit.record(decision.audit))
      .catch((err: unknown) => {
        request.log.error({ err, uid: envelope.uid }, 'admission audit row could not be written');
      });
    options.onDecision?.(decision);
    // No log line per decision: the audit row records it, and at 500 decisions/s the log
    // would cost more CPU than the decision (ADR 0009). Debug level keeps it for diagnosis.
    request.log.debug(
      {
        uid: envelope.uid,
        allowed: decision.allowed,
        mode: decision.audit.mode,
        dryRun: decision.audit.dryRun,
      },
      'admission decision',
    );
    return reply.code(200).type('application/json').send(reviewResponse(envelope, decision));
  });
};
