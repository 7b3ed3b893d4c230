// The evidence pack: PagerDuty (REST, or the webhooks alone), then Datadog and Sentry when configured,
// redacted here: secrets and personal data never reach history or Devin.
import type { WorkerConfig } from '../src/config';
import type { CollectContextInput, ExternalEvidence, IncidentContext } from '../src/domain/evidence';
import { collectDatadogEvidence } from '../src/integrations/datadog/evidence';
import { PagerDutyClient } from '../src/integrations/pagerduty/client';
import { clipContext, contextFromApi, contextFromWebhooks } from '../src/integrations/pagerduty/evidence';
import { retryLater } from '../src/integrations/http';
import { collectSentryEvidence } from '../src/integrations/sentry/evidence';
import { Redactor } from '../src/postmortem/redaction';
import { activitySignal, type Clock, currentAttempt } from './context';
import { inTemporalTerms } from './failures';

/** How far before the incident's start the optional collectors look. */
const EXTERNAL_LOOKBACK_MS = 30 * 60_000;

export function evidenceActivities(config: WorkerConfig, clock: Clock) {
  /** Datadog and Sentry, when configured, for the incident's window; a failure is a line, not a block. */
  async function collectExternalEvidence(pack: IncidentContext, attempt: number): Promise<ExternalEvidence[]> {
    const { incident } = pack;
    const from = incident.createdAt ?? pack.timeline[0]?.at;
    if (!from || (!config.datadog && !config.sentry)) return [];
    const window = { from: new Date(Date.parse(from) - EXTERNAL_LOOKBACK_MS).toISOString(), to: incident.resolvedAt ?? clock.now().toISOString() };
    const options = { timeoutMs: config.httpTimeoutMs, signal: activitySignal() };
    const guarded = async (source: ExternalEvidence['source'], work: () => Promise<ExternalEvidence>): Promise<ExternalEvidence> => {
      try {
        return await work();
      } catch (error) {
        // Retry an outage a few times with the activity; then say what is missing and go on.
        if (retryLater(error, attempt)) throw error;
        return { source, items: [], omitted: 0, problem: error instanceof Error ? error.message : String(error) };
      }
    };
    const evidence: ExternalEvidence[] = [];
    const datadog = config.datadog;
    const service = datadog?.serviceTag ?? incident.service?.name;
    if (datadog && service) evidence.push(await guarded('datadog', () => collectDatadogEvidence(datadog, { service, ...window }, undefined, options)));
    const sentry = config.sentry;
    if (sentry) evidence.push(await guarded('sentry', () => collectSentryEvidence(sentry, window, undefined, options)));
    return evidence;
  }

  return {
    /**
     * The evidence pack, redacted here: secrets and personal data never reach history or Devin. Redacted whole,
     * then clipped (clipContext): a text clipped first could end in half a token that no detector recognises.
     */
    async collectIncidentContext(input: CollectContextInput): Promise<IncidentContext> {
      const attempt = currentAttempt();
      return inTemporalTerms(async () => {
        const people = new Map<string, string | undefined>();
        const pack = config.pagerDuty
          ? await contextFromApi(new PagerDutyClient(config.pagerDuty, config.httpTimeoutMs, activitySignal()), input, clock.now(), attempt, people)
          : contextFromWebhooks(input, 'PAGERDUTY_API_TOKEN is not set: built from webhook data alone', clock.now());
        const external = await collectExternalEvidence(pack, attempt);
        if (external.length > 0) pack.external = external;
        const redactor = new Redactor({ personalData: config.redactPersonalData });
        // People the API names become their pseudonyms first, as the bridge's agents are (REDACT_PERSONAL_DATA).
        const redacted = clipContext(redactor.deep(redactor.people(pack, people)));
        return { ...redacted, redactions: redactor.report };
      }, attempt);
    },
  };
}
