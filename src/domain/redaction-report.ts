// What redaction found, as counts by kind (never values): carried in events and evidence packs, merged
// and shown by the workflow. Pure module (workflow code imports it).

export const REDACTION_KINDS = [
  'aws_access_key',
  'aws_secret_key',
  'gcp_api_key',
  'gcp_service_account_key',
  'azure_key',
  'github_token',
  'gitlab_token',
  'slack_token',
  'slack_webhook',
  'bearer_token',
  'jwt',
  'private_key',
  'url_password',
  'password_pair',
  'email',
  'phone',
] as const;

export type RedactionKind = (typeof REDACTION_KINDS)[number];

/** Kinds that are personal data rather than secrets; `personalData: false` keeps them. */
export const PERSONAL_DATA_KINDS: readonly RedactionKind[] = ['email', 'phone'];

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
