// GitHub's answers under the one HTTP failure policy (../http.ts). GitHub's own twist: a rate limit —
// primary or secondary — may answer 403 as well as 429, told apart from a refusal by `retry-after` or
// by `x-ratelimit-remaining: 0`, whose `x-ratelimit-reset` is an epoch second (not seconds from now,
// as http.ts reads it for Datadog). Octokit's RequestError is read here, so no caller sees it.
import { clip, ExternalServiceError, failureForNetworkError, failureForStatus, retryDelayFromHeaders } from '../http';

export const SYSTEM = 'GitHub';

/** The longest wait a rate-limit reset may impose on one retry (http.ts caps Retry-After alike). */
const MAX_RESET_WAIT_MS = 10 * 60_000;
const DETAIL_CHARS = 400;

type HeaderBag = Record<string, string | number | undefined>;

/** The shape of Octokit's RequestError that matters here (its class is not imported: one fewer coupling). */
interface OctokitError {
  status: number;
  response?: { headers: HeaderBag; data?: unknown };
}

const isOctokitError = (error: unknown): error is OctokitError =>
  typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number' && (error as { name?: unknown }).name === 'HttpError';

function toHeaders(bag: HeaderBag): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(bag)) if (value !== undefined) headers.set(name, String(value));
  return headers;
}

/** GitHub's error body: `{message, documentation_url, errors?: [{resource, field, code, message?}]}`. */
export function gitHubErrorDetail(data: unknown): string {
  if (typeof data === 'string') return clip(data, DETAIL_CHARS) || 'no detail';
  if (typeof data !== 'object' || data === null) return 'no detail';
  const body = data as { message?: unknown; errors?: unknown };
  const errors = Array.isArray(body.errors)
    ? body.errors.map((e: unknown) => {
        if (typeof e === 'string') return e;
        const f = (e ?? {}) as { resource?: unknown; field?: unknown; code?: unknown; message?: unknown };
        if (typeof f.message === 'string') return f.message;
        return [f.resource, f.field, f.code].filter((part) => typeof part === 'string').join(' ');
      })
    : [];
  const message = typeof body.message === 'string' ? body.message : 'no detail';
  return clip(errors.length > 0 ? `${message}: ${errors.join('; ')}` : message, DETAIL_CHARS);
}

/**
 * A rate limit's wait, or undefined when the answer is no rate limit: `retry-after` first (secondary
 * limits send it), then the exhausted window's reset (primary limits). A secondary limit with neither
 * is still a rate limit: GitHub asks for at least a minute then.
 */
export function rateLimitDelay(status: number, headers: Headers, message: string, now = Date.now()): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const asked = headers.has('retry-after') ? retryDelayFromHeaders(headers, status, now) : undefined;
  if (asked !== undefined) return asked;
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.min(Math.max(0, reset * 1000 - now), MAX_RESET_WAIT_MS);
  }
  if (/secondary rate limit/i.test(message)) return 60_000;
  return status === 429 ? 60_000 : undefined;
}

/** Any failure of an Octokit call as ExternalServiceError; the caller's own abort passes through. */
export function gitHubFailure(what: string, error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted || error instanceof ExternalServiceError) return error;
  // Octokit wraps a request that got no answer as a status-500 RequestError without a response.
  if (!isOctokitError(error) || !error.response) return failureForNetworkError(SYSTEM, what, error, signal);
  const headers = toHeaders(error.response.headers);
  const detail = gitHubErrorDetail(error.response.data);
  const delay = rateLimitDelay(error.status, headers, detail);
  if (delay !== undefined) {
    return ExternalServiceError.unavailable(SYSTEM, `${SYSTEM} ${what} answered ${error.status} (rate limited): ${detail}`, error.status, delay, detail);
  }
  return failureForStatus(SYSTEM, what, error.status, detail, headers);
}
