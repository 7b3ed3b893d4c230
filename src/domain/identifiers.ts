// Identifiers that end up in workflow ids, file names, URL paths and tags are checked where they enter,
// never trusted: a signed webhook or an API answer may carry anything in a field called `id`.

/** PagerDuty object ids (incidents, services, users, priorities): short uppercase alphanumerics in every published sample. */
export const PAGERDUTY_ID = /^[A-Z0-9]{1,64}$/;

/** Webhook event ids and delivery ids (`X-Webhook-Id`): ULIDs or UUIDs, so hyphens too. */
export const DELIVERY_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

export const isPagerDutyId = (value: unknown): value is string => typeof value === 'string' && PAGERDUTY_ID.test(value);
export const isDeliveryId = (value: unknown): value is string => typeof value === 'string' && DELIVERY_ID.test(value);

/** For messages: an untrusted id, shown safely (one line, bounded). */
export function describeId(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  const shown = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40)}…` : shown);
}
