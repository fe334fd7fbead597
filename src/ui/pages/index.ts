/** Every UI page, in one explicit list (no import side effects). */
import type { UiRouter } from '../router.js';
import { accountPages } from './accounts.js';
import { admissionPage } from './admission.js';
import { apiKeyPages } from './api-keys.js';
import { exceptionPages } from './exceptions.js';
import { imageDetailPage } from './image-detail.js';
import { imagesPage } from './images.js';
import { notificationPages } from './notifications.js';
import { overviewPage } from './overview.js';
import { policyPages } from './policies.js';
import { promotionRulePages } from './promotion-rules.js';
import { promotionPages } from './promotions.js';
import { searchPage } from './search.js';

export function registerPages(router: UiRouter): void {
  overviewPage(router);
  imagesPage(router);
  imageDetailPage(router);
  searchPage(router);
  policyPages(router);
  exceptionPages(router);
  notificationPages(router);
  admissionPage(router);
  promotionRulePages(router);
  promotionPages(router);
  apiKeyPages(router);
  accountPages(router);
}
