// Search attributes that make an incident findable in the Temporal UI. Identifiers, phases and numbers
// only, never incident text or secrets (they are not encrypted).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PagerDutyIncidentId = defineSearchAttributeKey('PagerDutyIncidentId', SearchAttributeType.KEYWORD);
export const PagerDutyService = defineSearchAttributeKey('PagerDutyService', SearchAttributeType.KEYWORD);
export const IncidentPriority = defineSearchAttributeKey('IncidentPriority', SearchAttributeType.KEYWORD);
export const PostmortemPhase = defineSearchAttributeKey('PostmortemPhase', SearchAttributeType.KEYWORD);
/** The Devin session's cost so far (ACUs), as of the workflow's last look at the session. */
export const DevinAcusConsumed = defineSearchAttributeKey('DevinAcusConsumed', SearchAttributeType.DOUBLE);

/** The postmortem's pull request URL: the GitHub webhook finds the incident's workflow by it. */
export const PostmortemPullRequest = defineSearchAttributeKey('PostmortemPullRequest', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [PagerDutyIncidentId, PagerDutyService, IncidentPriority, PostmortemPhase, DevinAcusConsumed, PostmortemPullRequest];

/** A visibility string literal: Temporal's query parser takes backslash escapes inside single quotes. */
export function quoteQueryValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
