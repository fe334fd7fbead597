/** Every service repository over one database, made once by the composition root. */
import type { Sql } from '../sql.js';
import { AccountRepository } from './accounts.js';
import { AdmissionRepository } from './admission.js';
import { AnalysisRepository } from './analyses.js';
import { ApiTokenRepository } from './api-tokens.js';
import { defaultPolicy } from './default-policy.js';
import { EvaluationRepository } from './evaluations.js';
import { EventRepository } from './events.js';
import { HarborScanRepository } from './harbor-scans.js';
import { LoginChanges } from './login-changes.js';
import { ImageRepository } from './images.js';
import { PolicyRepository } from './policies.js';
import { PromotionRepository } from './promotions.js';
import { RegistryCredentialRepository } from './registry-credentials.js';
import type { SecretBox } from './secret-box.js';
import { SubscriptionRepository } from './subscriptions.js';
import { UserRepository } from './users.js';
import { WatchRepository } from './watches.js';

export interface ServiceStore {
  readonly db: Sql;
  /** Seals secrets at rest; the notification endpoints (src/notifications) use it too. */
  readonly box: SecretBox;
  /** Advances after every write a password login depends on (users, account state). */
  readonly loginChanges: LoginChanges;
  readonly accounts: AccountRepository;
  readonly users: UserRepository;
  readonly tokens: ApiTokenRepository;
  readonly images: ImageRepository;
  readonly analyses: AnalysisRepository;
  readonly evaluations: EvaluationRepository;
  readonly policies: PolicyRepository;
  readonly registries: RegistryCredentialRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly events: EventRepository;
  readonly admission: AdmissionRepository;
  readonly harborScans: HarborScanRepository;
  readonly promotions: PromotionRepository;
  readonly watches: WatchRepository;
}

export function createServiceStore(db: Sql, box: SecretBox): ServiceStore {
  const loginChanges = new LoginChanges();
  return Object.freeze({
    db,
    box,
    loginChanges,
    accounts: new AccountRepository(db, defaultPolicy(), loginChanges),
    users: new UserRepository(db, loginChanges),
    tokens: new ApiTokenRepository(db),
    images: new ImageRepository(db),
    analyses: new AnalysisRepository(db),
    evaluations: new EvaluationRepository(db),
    policies: new PolicyRepository(db),
    registries: new RegistryCredentialRepository(db, box),
    subscriptions: new SubscriptionRepository(db),
    events: new EventRepository(db),
    admission: new AdmissionRepository(db),
    harborScans: new HarborScanRepository(db, box),
    promotions: new PromotionRepository(db),
    watches: new WatchRepository(db),
  });
}
