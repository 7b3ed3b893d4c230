// What the optional evidence collectors (Datadog, Sentry) share: their bounds, their request options,
// and the incident window they read.
import type { ExternalEvidence } from '../domain/evidence';
import { FailureTypes, TypedFailure } from '../domain/failures';
import { withoutCutMarker } from './evidence-text';
import { clip } from './http';

export interface CollectorLimits {
  /** Most items in the evidence; the rest are counted in `omitted`. */
  items: number;
}

export interface CollectorOptions {
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
  /** The caller's cancellation (an activity's). */
  signal?: AbortSignal;
  /** Page size override (tests use a small one to exercise pagination). */
  pageSize?: number;
}

export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = { items: 50 };
export const DEFAULT_COLLECTOR_TIMEOUT_MS = 30_000;
/** An evidence item's summary, on one line. */
export const SUMMARY_CHARS = 500;

/**
 * Each item's summary on one line and clipped to SUMMARY_CHARS. Only after redaction (the evidence activity):
 * the collectors keep summaries whole (rawText, ./evidence-text.ts), so that no clip can cut a secret in two.
 */
export function clipEvidence(evidence: ExternalEvidence): ExternalEvidence {
  return { ...evidence, items: evidence.items.map((item) => ({ ...item, summary: withoutCutMarker(clip(item.summary, SUMMARY_CHARS)) })) };
}

export interface EvidenceWindow {
  fromMs: number;
  toMs: number;
}

/** The ISO 8601 bounds as epoch ms; a window that is not a valid range is a non-retryable failure. */
export function evidenceWindow(system: string, from: string, to: string): EvidenceWindow {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw new TypedFailure(FailureTypes.invalidEvidenceWindow, `${system} evidence window is not a valid range: ${from} .. ${to}`);
  }
  return { fromMs, toMs };
}
