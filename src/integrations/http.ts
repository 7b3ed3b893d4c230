// JSON over HTTP for the SaaS clients, with their failures translated into Temporal's terms:
// transient ones retry (honouring Retry-After / ratelimit-reset), the rest are non-retryable so the
// workflow can say what is wrong instead of retrying a bad key forever.
import { ApplicationFailure } from '@temporalio/common';

export interface JsonRequest {
  system: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * The activity attempt, for jittered backoff when the server gives no Retry-After. Unset: the
   * activity's retry policy alone decides (polling keeps its interval).
   */
  attempt?: number;
  /** The body is text, not JSON (Slack answers `ok`). */
  text?: boolean;
  /** How errors name the endpoint when its path is itself a secret (a Slack webhook URL). */
  label?: string;
}

/** Error types the workflow recognises; they also show in the Temporal UI. */
export const FailureTypes = {
  transient: 'ExternalServiceUnavailable',
  rejected: 'ExternalServiceRejected',
} as const;

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
const MAX_RETRY_DELAY_MS = 10 * 60_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 5 * 60_000;

/**
 * Exponential backoff with "equal jitter": Temporal's retry policy has no jitter, and a storm of
 * incidents retrying in lockstep would hit a recovering API all at once.
 */
export function backoffWithJitter(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function jitteredDelay(attempt: number | undefined): number | undefined {
  return attempt === undefined ? undefined : backoffWithJitter(attempt);
}

/** Seconds or an HTTP date (Retry-After), or PagerDuty's `ratelimit-reset` seconds. */
export function retryDelayFromHeaders(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_DELAY_MS);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - now), MAX_RETRY_DELAY_MS);
  }
  const reset = Number(headers.get('ratelimit-reset'));
  if (headers.has('ratelimit-reset') && Number.isFinite(reset) && reset >= 0) return Math.min(reset * 1000, MAX_RETRY_DELAY_MS);
  return undefined;
}

function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string; errors?: string[] }; detail?: unknown; message?: string };
    if (body.error?.message) return [body.error.message, ...(body.error.errors ?? [])].join(': ');
    if (typeof body.detail === 'string') return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d: { msg?: string }) => d.msg ?? JSON.stringify(d)).join('; ');
    if (body.message) return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}

export async function requestJson<T>(req: JsonRequest): Promise<T> {
  const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
  const path = req.label ?? new URL(req.url).pathname;
  let response: Response;
  let text: string;
  try {
    response = await fetch(req.url, {
      method: req.method,
      headers: { accept: 'application/json', ...req.headers, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.any(signals),
    });
    text = await response.text();
  } catch (error) {
    // The activity itself was cancelled (worker shutdown, reset): let the SDK see the abort as such.
    if (req.signal?.aborted) throw error;
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw ApplicationFailure.create({
      type: FailureTypes.transient,
      message: `${req.system} ${req.method} ${path}: network error (${reason})`,
      nextRetryDelay: jitteredDelay(req.attempt),
    });
  }
  if (response.ok) {
    if (req.text) return text as T;
    if (text.length === 0) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      // A proxy's HTML error page with a 200: transient, most likely.
      throw ApplicationFailure.create({
        type: FailureTypes.transient,
        message: `${req.system} ${req.method} ${path} answered ${response.status} with a body that is not JSON`,
      });
    }
  }
  const message = `${req.system} ${req.method} ${path} answered ${response.status}: ${errorDetail(text)}`;
  if (RETRYABLE.has(response.status)) {
    throw ApplicationFailure.create({
      type: FailureTypes.transient,
      message,
      nextRetryDelay: retryDelayFromHeaders(response.headers) ?? jitteredDelay(req.attempt),
      details: [{ system: req.system, status: response.status }],
    });
  }
  throw ApplicationFailure.create({
    type: FailureTypes.rejected,
    message,
    nonRetryable: true,
    details: [{ system: req.system, status: response.status }],
  });
}
