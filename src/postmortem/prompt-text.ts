// Incident facts as they may appear outside the prompt's fenced evidence: every value from a webhook or
// an API answer is untrusted, and one that kept a newline or a backtick could close a fence or add its own
// `## Instructions`. So facts are one line, stripped of fence and control characters, and bounded;
// timestamps are timestamps and links are https links on the expected hosts, or they are left out.

/** Line breaks of every kind (CR, LF, VT, FF, NEL, LS, PS) and other whitespace runs. */
const WHITESPACE = /[\s\u0085\u2028\u2029]+/g;
/** C0/C1 controls, zero-width and bidi controls: invisible, and able to hide or reorder text. */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** Characters that open or close a Markdown fence or inline code: ` and ~ (and their full-width forms). */
const FENCE = /[`~\uff40\uff5e]/g;

/** One line, no fence characters, at most `max` characters. */
export function fact(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  const flat = text.replace(WHITESPACE, ' ').replace(INVISIBLE, '').replace(FENCE, "'").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 timestamp as given (it can hold nothing but digits and its separators), or undefined when the value is not one. */
export function timestamp(value: unknown): string | undefined {
  return typeof value === 'string' && ISO_8601.test(value) && Number.isFinite(Date.parse(value)) ? value : undefined;
}

const PAGERDUTY_HOST = /(^|\.)pagerduty\.com$/;

/** An https link to PagerDuty's web app, or undefined. */
export function pagerDutyLink(value: unknown): string | undefined {
  const url = parsedUrl(value);
  return url && url.protocol === 'https:' && PAGERDUTY_HOST.test(url.hostname) && !url.username && !url.password ? url.toString() : undefined;
}

/** An http(s) evidence link (a log entry, an alert, a deploy): no credentials, nothing that could end a Markdown link. */
export function evidenceLink(value: unknown): string | undefined {
  const url = parsedUrl(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return undefined;
  // encodeURIComponent leaves ( and ) alone, and either could end a Markdown link.
  return url.toString().replace(/[()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function parsedUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.length > 2048 || /[\s`]/.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
