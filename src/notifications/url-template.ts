/**
 * Anchore Engine's webhook URLs name the receiver's route with placeholders: the general URL
 * `http://host:9090/general/<notification_type>/<userId>` and per-type URLs such as
 * `http://host:9090/policy_eval/<userId>`. Receivers written for it route on those paths, so
 * the placeholders are filled in at delivery, with the notification's type and account.
 * The stored URL went through `new URL()`, which percent-encodes `<` and `>`: both spellings
 * are accepted.
 */
const PLACEHOLDER = /(?:<|%3C)(notification_type|userId)(?:>|%3E)/gi;

export function expandWebhookUrl(url: string, values: { type: string; accountName: string }): string {
  return url.replace(PLACEHOLDER, (_match, name: string) =>
    encodeURIComponent(name.toLowerCase() === 'userid' ? values.accountName : values.type),
  );
}
