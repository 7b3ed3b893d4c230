// The one HTTP failure policy of every SaaS client: which answers are worth retrying (and after how
// long the server asks us to wait), which are a rejection that no retry can fix, the API's own error
// detail, and clipping. Clients throw ExternalServiceError; activities turn it into Temporal's terms
// (activities/failures.ts) and the CLI retries it itself. No Temporal imports here.
import { FailureTypes, TypedFailure } from '../domain/failures';

/**
 * Retried: timeouts, conflicts (a concurrent change on the other side: the next attempt sees it settled),
 * too early, rate limits, and every server error. Everything else is a rejection.
 */
const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);
export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status) || status >= 500;

/** The longest wait a server's rate-limit hint may impose on one retry. */
const MAX_RETRY_DELAY_MS = 10 * 60_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 5 * 60_000;
/** Error details are quoted in statuses and history: a page of HTML is not a detail. */
const DETAIL_CHARS = 200;

export class ExternalServiceError extends TypedFailure {
  override name = 'ExternalServiceError';

  constructor(
    type: typeof FailureTypes.unavailable | typeof FailureTypes.rejected,
    message: string,
    readonly system: string,
    readonly status?: number,
    /** How long the server asked us to wait (Retry-After and its vendor variants). */
    readonly retryAfterMs?: number,
    /** The API's own words, when it answered. */
    readonly detail?: string,
    /** Retry with a jittered backoff when no delay was asked for; false: the caller's retry policy alone decides. */
    readonly backoff = true,
  ) {
    super(type, message, type === FailureTypes.unavailable);
  }

  static unavailable(system: string, message: string, status?: number, retryAfterMs?: number, detail?: string, backoff = true): ExternalServiceError {
    return new ExternalServiceError(FailureTypes.unavailable, message, system, status, retryAfterMs, detail, backoff);
  }

  static rejected(system: string, message: string, status: number, detail?: string): ExternalServiceError {
    return new ExternalServiceError(FailureTypes.rejected, message, system, status, undefined, detail);
  }
}

/**
 * Exponential backoff with "equal jitter": Temporal's retry policy has no jitter, and a storm of
 * incidents retrying in lockstep would hit a recovering API all at once.
 */
export function backoffWithJitter(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

const bounded = (ms: number) => Math.min(Math.max(0, ms), MAX_RETRY_DELAY_MS);

/**
 * The wait an answer asks for: `Retry-After` (seconds or an HTTP date); on a 429 also the rate-limit
 * window's reset — PagerDuty's `ratelimit-reset` and Datadog's `x-ratelimit-reset` (seconds from now),
 * Sentry's `x-sentry-rate-limit-reset` (epoch seconds). Those are sent on every answer, so they say
 * nothing about when an outage ends.
 */
export function retryDelayFromHeaders(headers: Headers, status: number, now = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return bounded(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return bounded(date - now);
  }
  if (status !== 429) return undefined;
  for (const name of ['ratelimit-reset', 'x-ratelimit-reset']) {
    const reset = Number(headers.get(name));
    if (headers.has(name) && Number.isFinite(reset) && reset >= 0) return bounded(reset * 1000);
  }
  const epoch = Number(headers.get('x-sentry-rate-limit-reset'));
  if (headers.has('x-sentry-rate-limit-reset') && Number.isFinite(epoch)) return bounded(epoch * 1000 - now);
  return undefined;
}

/** `text` on one line, at most `max` characters (an ellipsis marks a cut). */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * An answer's detail, clipped between words: the detail is redacted later (it lands in a limitation or a
 * problem, which the evidence activity redacts), and a word cut in two could be half a secret that no
 * detector recognises. A single word longer than `max` is left out, said by its length.
 */
function clipDetail(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.lastIndexOf(' ', max - 2);
  return cut > 0 ? `${flat.slice(0, cut)} …` : `(${flat.length} characters left out)`;
}

/** One field error of a validation answer: `{loc, msg}` (FastAPI/pydantic) or `{field, message}`. */
function fieldError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { loc?: unknown; msg?: unknown; field?: unknown; message?: unknown };
  const where = Array.isArray(e.loc) ? e.loc.filter((part) => part !== 'body').join('.') : typeof e.field === 'string' ? e.field : '';
  const what = typeof e.msg === 'string' ? e.msg : typeof e.message === 'string' ? e.message : JSON.stringify(error);
  return where ? `${where}: ${what}` : what;
}

/**
 * The API's own words for a failure, whatever shape it answers in: RFC 9457 problem+json (`title`,
 * `detail`, field errors in `errors[]`, as Devin v3 answers), PagerDuty's `{error: {message, errors}}`,
 * FastAPI's `{detail}` (a string or a list of `{loc, msg}`), Datadog's `{errors: [...]}`, a bare
 * `{message}`; otherwise the start of the body.
 */
export function errorDetail(body: string | unknown): string {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return clipDetail(body, DETAIL_CHARS) || 'no detail';
    }
  }
  if (typeof value === 'object' && value !== null) {
    const b = value as { error?: { message?: string; errors?: string[] }; detail?: unknown; message?: unknown; errors?: unknown; title?: unknown; status?: unknown };
    if (b.error?.message) return clipDetail([b.error.message, ...(b.error.errors ?? [])].join(': '), DETAIL_CHARS * 2);
    const fields = Array.isArray(b.errors) && b.errors.length > 0 ? b.errors.map(fieldError).join('; ') : undefined;
    const detail =
      typeof b.detail === 'string' ? b.detail : Array.isArray(b.detail) ? b.detail.map(fieldError).join('; ') : b.detail !== undefined && b.detail !== null ? clipDetail(JSON.stringify(b.detail), DETAIL_CHARS) : undefined;
    if (typeof b.title === 'string' && typeof b.status === 'number') {
      // problem+json: the title, then what is specific to this occurrence (the field errors say it best).
      const specific = fields ?? (detail && detail !== b.title ? detail : undefined);
      return clipDetail(specific ? `${b.title}: ${specific}` : b.title, DETAIL_CHARS * 2);
    }
    if (detail !== undefined) return clipDetail(detail, DETAIL_CHARS * 2);
    if (fields) return clipDetail(fields, DETAIL_CHARS * 2);
    if (typeof b.message === 'string') return clipDetail(b.message, DETAIL_CHARS * 2);
  }
  return clipDetail(typeof body === 'string' ? body : JSON.stringify(body), DETAIL_CHARS) || 'no detail';
}

/** The failure for an answer that is not 2xx: retryable with the server's delay, or a rejection. */
export function failureForStatus(system: string, what: string, status: number, detail: string, headers?: Headers): ExternalServiceError {
  const message = `${system} ${what} answered ${status}: ${detail}`;
  return isRetryableStatus(status)
    ? ExternalServiceError.unavailable(system, message, status, headers ? retryDelayFromHeaders(headers, status) : undefined, detail)
    : ExternalServiceError.rejected(system, message, status, detail);
}

/** The failure for a request that got no answer. `signal`: the caller's own cancellation, passed through as is. */
export function failureForNetworkError(system: string, what: string, error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return error;
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return ExternalServiceError.unavailable(system, `${system} ${what}: network error (${reason})`);
}

export interface HttpRequest {
  system: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  /** The caller's cancellation (an activity's): an abort is passed through, never turned into a retry. */
  signal?: AbortSignal;
  /** How errors name the endpoint when its path is itself a secret (a Slack webhook URL). */
  label?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** One request; any answer that is not 2xx, and no answer at all, is thrown as ExternalServiceError. */
export async function send(req: HttpRequest): Promise<HttpAnswer> {
  const what = `${req.method} ${req.label ?? new URL(req.url).pathname}`;
  const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
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
    throw failureForNetworkError(req.system, what, error, req.signal);
  }
  if (!response.ok) throw failureForStatus(req.system, what, response.status, errorDetail(text), response.headers);
  return { status: response.status, headers: response.headers, text };
}

/** A 2xx answer whose body is not what the API sends (a proxy's HTML page): transient, most likely. */
export function unexpectedBody(req: Pick<HttpRequest, 'system' | 'method' | 'url' | 'label'>, status: number, expected = 'JSON'): ExternalServiceError {
  const what = `${req.method} ${req.label ?? new URL(req.url).pathname}`;
  // No backoff of its own: the caller's retry interval applies, as for any answer it cannot read.
  return ExternalServiceError.unavailable(req.system, `${req.system} ${what} answered ${status} with a body that is not ${expected}`, status, undefined, undefined, false);
}

export async function requestJson<T>(req: HttpRequest): Promise<T> {
  const answer = await send(req);
  if (answer.text.length === 0) return {} as T;
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    throw unexpectedBody(req, answer.status);
  }
}

/** Tries of an evidence collection during which a transient failure of one optional list is retried. */
export const EVIDENCE_LIST_ATTEMPTS = 4;

/**
 * Optional evidence (a secondary PagerDuty list, Datadog, Sentry): an outage is retried with the
 * collection for its first tries, then the list is given up and the pack says what is missing.
 */
export function retryLater(error: unknown, attempt: number): boolean {
  return error instanceof TypedFailure && error.retryable && attempt < EVIDENCE_LIST_ATTEMPTS;
}

/**
 * Outside Temporal (the CLI): retries what the policy calls retryable, after the server's delay or a
 * jittered backoff, up to `attempts` tries. Inside Temporal the activity's retry policy does this.
 */
export async function withRetries<T>(work: () => Promise<T>, attempts: number, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ExternalServiceError) || !error.retryable || attempt >= attempts) throw error;
      await sleep(error.retryAfterMs ?? backoffWithJitter(attempt));
    }
  }
}
