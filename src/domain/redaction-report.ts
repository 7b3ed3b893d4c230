// What redaction found, as counts by kind (never values): carried in events and evidence packs, merged
// and shown by the workflow. Pure module (workflow code imports it).

export const REDACTION_KINDS = [
  'aws_access_key',
  'aws_secret_key',
  'gcp_api_key',
  'gcp_service_account_key',
  'azure_key',
  'google_oauth_token',
  'github_token',
  'gitlab_token',
  'slack_token',
  'slack_webhook',
  'stripe_key',
  'openai_key',
  'anthropic_key',
  'sendgrid_key',
  'npm_token',
  'twilio_key',
  'url_signature',
  'cookie',
  'bearer_token',
  'jwt',
  'private_key',
  'url_password',
  'password_pair',
  /** Payment card numbers (Luhn-checked). A secret, not personal data: redacted whatever REDACT_PERSONAL_DATA says. */
  'card_number',
  'email',
  'phone',
  /** US Social Security numbers, UK National Insurance numbers. */
  'national_id',
  /** International bank account numbers (mod-97 checked). */
  'iban',
  /** A person's name, where the data says it is one (a webhook's agent): replaced by a pseudonym. */
  'person',
] as const;

export type RedactionKind = (typeof REDACTION_KINDS)[number];

/** Kinds that are personal data rather than secrets; `personalData: false` keeps them. */
export const PERSONAL_DATA_KINDS: readonly RedactionKind[] = ['email', 'phone', 'national_id', 'iban', 'person'];

/** Counts by kind, never values. */
export type RedactionReport = Partial<Record<RedactionKind, number>>;

export function mergeReports(...reports: (RedactionReport | undefined)[]): RedactionReport {
  const merged: RedactionReport = {};
  for (const report of reports) {
    if (!report) continue;
    for (const kind of REDACTION_KINDS) {
      const count = report[kind];
      if (count) merged[kind] = (merged[kind] ?? 0) + count;
    }
  }
  return merged;
}

/** "3 email, 1 aws_access_key" (largest counts first), or "nothing redacted". */
export function describeReport(report: RedactionReport): string {
  const parts = REDACTION_KINDS.map((kind) => [kind, report[kind] ?? 0] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  return parts.length === 0 ? 'nothing redacted' : parts.map(([kind, count]) => `${count} ${kind}`).join(', ');
}
