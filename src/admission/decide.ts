/**
 * The admission decision: from a parsed AdmissionReview and the ports to an answer and an
 * audit row. Modes come from the first matching rule per image; exceptions and `warn` rules
 * turn refusals into warnings; a deadline well under the webhook timeout fails each
 * unfinished image by its mode (refused under policy and analysis, allowed under breakglass).
 */
import { PortcullisError } from '../core/errors.js';
import type { AdmissionConfig } from './config.js';
import { needsNamespaceLabels } from './config.js';
import { CachingDigestResolver, NEVER_ABORTED, VerdictCache, withBudget } from './cached-ports.js';
import { FreshCache } from './fresh-cache.js';
import { evaluateImage, failedImage, type ImageDeps, type ImageEvaluation } from './evaluate-image.js';
import { workloadKinds, type WorkloadKind } from './kinds.js';
import { decideInvalid } from './decide-invalid.js';
import { denialMessage, warningLines } from './messages.js';
import type { AdmissionRequest, ParsedReview } from './parse.js';
import type { AdmissionException, AdmissionMode, AdmissionPorts, AuditRecord, PortContext } from './ports.js';
import { compileRules, isExcludedNamespace, selectRule, type CompiledRule } from './rules.js';
import { auditImage, baseAudit } from './audit.js';

export interface Decision {
  allowed: boolean;
  /** Denial message (status.message) when refused. */
  message: string | undefined;
  warnings: string[];
  audit: AuditRecord;
}

const STRICTNESS: Record<AdmissionMode, number> = { breakglass: 0, analysis: 1, policy: 2 };
const DIGEST_CACHE_ENTRIES = 20_000;
const EXCEPTION_CACHE_ENTRIES = 5_000;

/** "api 1b4e…" or "WhiteListItem payments-hotfix", for warnings. */
function exceptionName(e: AdmissionException): string {
  return e.source === 'crd' ? `WhiteListItem ${e.id}` : e.id;
}

export class AdmissionDecider {
  readonly kinds: readonly WorkloadKind[];
  private readonly rules: CompiledRule[];
  private readonly deps: ImageDeps;
  private readonly exceptions: FreshCache<AdmissionException[]>;
  private readonly now: () => Date;

  constructor(
    readonly config: Readonly<AdmissionConfig>,
    private readonly ports: AdmissionPorts,
  ) {
    if (needsNamespaceLabels(config) && !ports.namespaceLabels) {
      throw new PortcullisError(
        'CONFIG_INVALID',
        'admission rules use namespaceLabels but no NamespaceLabelSource was given',
      );
    }
    this.kinds = workloadKinds(config.customKinds);
    this.rules = compileRules(config);
    this.now = ports.now ?? (() => new Date());
    const clock = (): number => this.now().getTime();
    this.deps = {
      digests: new CachingDigestResolver(
        ports.digests,
        config.digestCacheSeconds * 1000,
        DIGEST_CACHE_ENTRIES,
        clock,
      ),
      verdicts: new VerdictCache(ports.verdicts, {
        maxEntries: config.verdictCache.maxEntries,
        freshMs: config.verdictCache.freshMilliseconds,
        maxStaleMs: config.verdictCache.maxStaleSeconds * 1000,
        storeTimeoutMs: config.storeTimeoutMs,
      }),
      analysis: ports.analysis,
    };
    this.exceptions = new FreshCache(config.verdictCache.freshMilliseconds, EXCEPTION_CACHE_ENTRIES);
  }

  /** Something a decision reads changed in the store: cached verdicts and exceptions are dropped. */
  invalidate(): void {
    this.deps.verdicts.invalidate();
    this.exceptions.invalidate();
  }

  async decide(parsed: ParsedReview): Promise<Decision> {
    const time = this.now();
    if (!parsed.ok) return decideInvalid(parsed.invalid, this.config, this.rules, time);
    const request = parsed.request;
    const audit = baseAudit(request, this.config, time);
    const allow = (mode: AuditRecord['mode'], reason: string): Decision => ({
      allowed: true,
      message: undefined,
      warnings: [],
      audit: { ...audit, mode, reasons: [reason] },
    });
    if (isExcludedNamespace(this.config, request.namespace)) return allow('excluded', 'namespace excluded');
    if (request.noObject) return allow('excluded', `${request.operation} carries no object to check`);
    if (request.scaleOnly) return allow('scale-only', 'scale-only update of an admitted workload');

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.deadlineMs);
    try {
      const port: PortContext = { account: this.config.account, signal: controller.signal };
      return await this.decideImages(request, audit, port, time);
    } finally {
      clearTimeout(timer);
    }
  }

  private async decideImages(
    request: AdmissionRequest,
    audit: AuditRecord,
    port: PortContext,
    time: Date,
  ): Promise<Decision> {
    const notes: string[] = [];
    const namespaceLabels = await this.namespaceLabels(request.namespace, port, notes);
    const exception = await this.activeException(audit.release, request.namespace, port, time, notes);
    const ctx = { port, dryRun: request.dryRun, nowMs: time.getTime() };
    const evaluations = await Promise.all(
      request.images.map(async (use) => {
        const subject = {
          namespace: request.namespace,
          namespaceLabels,
          objectLabels: request.labels,
          image: use.normalized,
        };
        const rule = selectRule(this.rules, subject);
        if (!rule) return { use, rule, evaluation: undefined };
        const mode = rule.rule.mode;
        const labelsUnknown = rule.rule.namespaceLabels !== undefined && namespaceLabels === undefined;
        const work = labelsUnknown
          ? Promise.resolve(
              failedImage(use, mode, 'namespace labels unavailable', 'the rule cannot be checked'),
            )
          : evaluateImage(use, mode, rule.rule.policy, this.deps, ctx);
        const evaluation = await withBudget(work, this.config.deadlineMs, port.signal, 'the decision').catch(
          () =>
            failedImage(
              use,
              mode,
              'deadline exceeded',
              `decision deadline of ${this.config.deadlineMs} ms exceeded`,
            ),
        );
        return { use, rule, evaluation };
      }),
    );
    return this.combine(audit, evaluations, exception, notes);
  }

  private combine(
    audit: AuditRecord,
    results: ReadonlyArray<{
      use: AdmissionRequest['images'][number];
      rule: CompiledRule | undefined;
      evaluation: ImageEvaluation | undefined;
    }>,
    exception: AdmissionException | undefined,
    notes: string[],
  ): Decision {
    const refused: ImageEvaluation[] = [];
    const warned: Array<{ use: ImageEvaluation['use']; why: string }> = [];
    let strictest: AdmissionMode | undefined;
    let exceptionUsed = false;
    for (const { rule, evaluation } of results) {
      if (!rule || !evaluation) continue;
      if (strictest === undefined || STRICTNESS[evaluation.mode] > STRICTNESS[strictest])
        strictest = evaluation.mode;
      if (evaluation.outcome === 'ok') continue;
      if (evaluation.mode === 'breakglass')
        warned.push({ use: evaluation.use, why: `${evaluation.summary} (breakglass)` });
      else if (rule.rule.action === 'warn')
        warned.push({ use: evaluation.use, why: `${evaluation.summary} (warn only)` });
      else if (exception) {
        exceptionUsed = true;
        warned.push({
          use: evaluation.use,
          why: `${evaluation.summary} (exception ${exceptionName(exception)})`,
        });
      } else refused.push(evaluation);
    }
    const images = results.map((r) => auditImage(r.use, r.evaluation));
    const reasons = [
      ...notes,
      ...results.flatMap((r) =>
        r.evaluation?.outcome === 'fail' ? r.evaluation.reasons.map((x) => `${r.use.container}: ${x}`) : [],
      ),
    ];
    const allowed = refused.length === 0;
    const warnings = warningLines(warned);
    const usedException = allowed && exceptionUsed && exception;
    return {
      allowed,
      message: allowed
        ? undefined
        : denialMessage(refused.map((e) => ({ use: e.use, digest: e.digest, reasons: e.reasons }))),
      warnings,
      audit: {
        ...audit,
        images,
        allowed,
        verdict: !allowed ? 'denied' : warnings.length > 0 ? 'warned' : 'allowed',
        reasons: reasons.length > 0 ? reasons : strictest === undefined ? ['no rule matched'] : [],
        mode: strictest ?? 'no-rule',
        exception: usedException
          ? {
              id: exception.id,
              source: exception.source ?? 'api',
              release: exception.release,
              creator: exception.creator,
              reason: exception.reason,
            }
          : undefined,
        stale: images.some((i) => i.stale),
      },
    };
  }

  private async namespaceLabels(namespace: string, port: PortContext, notes: string[]) {
    const source = this.ports.namespaceLabels;
    if (!source || !needsNamespaceLabels(this.config)) return {};
    try {
      return await withBudget(
        source.labels(namespace, port),
        this.config.storeTimeoutMs,
        port.signal,
        'the namespace lookup',
      );
    } catch (err) {
      notes.push(`namespace labels unavailable: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async activeException(
    release: string | undefined,
    namespace: string,
    port: PortContext,
    time: Date,
    notes: string[],
  ) {
    if (release === undefined) return undefined;
    try {
      const key = `${release}\u0000${namespace}`;
      const load = (ctx: PortContext) => () => this.ports.exceptions.forRelease(release, namespace, ctx);
      const background = { account: port.account, signal: NEVER_ABORTED };
      const items =
        this.exceptions.fresh(key, time.getTime(), load(background))?.value ??
        (await withBudget(
          this.exceptions.read(key, time.getTime(), load(port)),
          this.config.storeTimeoutMs,
          port.signal,
          'the exception store',
        ));
      return items.find(
        (e) =>
          e.release === release &&
          (e.namespace === undefined || e.namespace === namespace) &&
          (e.expiresAt === undefined || e.expiresAt.getTime() > time.getTime()),
      );
    } catch (err) {
      // Without the exception store no exception applies: failing images stay refused.
      notes.push(`exceptions unavailable: ${(err as Error).message}`);
      return undefined;
    }
  }
}
