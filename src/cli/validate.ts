// Checks on positional arguments and option values; each failure is a usage error naming the flag.
import { parseDuration } from '../domain/duration';
import { isPagerDutyId } from '../domain/identifiers';
import { UsageError } from './errors';

/** A PagerDuty incident id (Q1ABCDEF234567) or its workflow id (incident-Q1ABCDEF234567): the incident id. */
export function incidentIdArg(value: string | undefined): string {
  const id = (value ?? '').trim().replace(/^incident-/, '');
  if (!isPagerDutyId(id)) {
    throw new UsageError(`"${value}" is not a PagerDuty incident id (like Q1ABCDEF234567) or its workflow id (incident-Q1ABCDEF234567)`);
  }
  return id;
}

/** An option's value, trimmed; given but blank is a usage error. */
export function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${flag} needs a value`);
  return value.trim();
}

export function positiveNumber(text: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} must be a positive ${integer ? 'whole ' : ''}number (got "${text}")`);
  }
  return n;
}

/** `now`, a duration before now (`7d`, `12h`), or an ISO date / timestamp. */
export function parseInstant(text: string, now: Date, flag: string): Date {
  if (text === 'now') return now;
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  throw new UsageError(`--${flag} must be "now", a duration before now like 30m, 12h or 7d, or an ISO date (got "${text}")`);
}
