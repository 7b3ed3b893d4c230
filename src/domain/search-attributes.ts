// Search attributes that make an incident findable in the Temporal UI. Keyword values only, never secrets.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PagerDutyIncidentId = defineSearchAttributeKey('PagerDutyIncidentId', SearchAttributeType.KEYWORD);
export const PagerDutyService = defineSearchAttributeKey('PagerDutyService', SearchAttributeType.KEYWORD);
export const IncidentPriority = defineSearchAttributeKey('IncidentPriority', SearchAttributeType.KEYWORD);
export const PostmortemPhase = defineSearchAttributeKey('PostmortemPhase', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [PagerDutyIncidentId, PagerDutyService, IncidentPriority, PostmortemPhase];
