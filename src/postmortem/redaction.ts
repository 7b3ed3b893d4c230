// Redaction of secrets and personal data before incident text reaches Devin or Temporal history.
// Pure module (no Node imports): the bridge, the CLI and the evidence activity use it.
//
// Every finding is replaced by `[REDACTED:<kind>]` and counted; reports carry counts, never values.
// Overlaps are resolved once per secret, under the most specific kind (DETECTORS order: earlier wins). So
// `Bearer <JWT>` counts as jwt, `GITHUB_TOKEN=ghp_…` as github_token, `https://x:ghs_…@github.com` as github_token,
// and `password=jane@acme.io` as password_pair. A contextual match (pair value, bearer, URL password, AWS/Azure
// key value) that wholly contains a more specific one is redacted whole, still counted once under the specific kind.
// Existing `[REDACTED:…]` markers are never matched again, so redacting twice changes nothing.

import { PERSONAL_DATA_KINDS, type RedactionKind, type RedactionReport } from '../domain/redaction-report';
import { CONTAINER_KINDS, type Detector, DETECTORS } from './redaction-detectors';

export interface RedactionOptions {
  /** Redact emails and phone numbers too (the callers' default). */
  personalData: boolean;
}

const DEFAULT_OPTIONS: RedactionOptions = { personalData: true };

const MARKER = /\[REDACTED:[a-z_]+\]/g;

// Redaction passes per text(): the first does nearly everything; later ones only run while they still find something.
const MAX_PASSES = 6;

interface Span {
  start: number;
  end: number;
  kind: RedactionKind;
  rank: number;
}

function findCandidates(text: string, detectors: readonly Detector[]): Span[] {
  const spans: Span[] = [];
  detectors.forEach((detector, rank) => {
    for (const match of text.matchAll(detector.pattern)) {
      let start = match.index;
      let end = start + match[0].length;
      if (detector.groups) {
        const group = detector.groups.find((g) => match[g] !== undefined);
        const range = group === undefined ? undefined : match.indices?.[group];
        if (!range) continue;
        start = range[0];
        if (!detector.extendToMatchEnd) end = range[1];
      }
      if (end <= start) continue;
      if (detector.accept && !detector.accept(text.slice(start, end), match[0])) continue;
      spans.push({ start, end, kind: detector.kind, rank });
    }
  });
  return spans;
}

/** Picks non-overlapping spans, most specific first. `owner` maps each char to the span covering it. */
function resolve(text: string, candidates: Span[]): Span[] {
  const PROTECTED = -1;
  const FREE = 0;
  const owner = new Int32Array(text.length);
  for (const marker of text.matchAll(MARKER)) owner.fill(PROTECTED, marker.index, marker.index + marker[0].length);

  candidates.sort((a, b) => a.rank - b.rank || a.start - b.start || b.end - a.end);
  const accepted: (Span | undefined)[] = [];
  for (const candidate of candidates) {
    const overlapping = new Set<number>();
    let blocked = false;
    for (let i = candidate.start; i < candidate.end; i++) {
      const id = owner[i] as number;
      if (id === PROTECTED) {
        blocked = true;
        break;
      }
      if (id !== FREE) overlapping.add(id);
    }
    if (blocked) continue;
    if (overlapping.size === 0) {
      accepted.push(candidate);
      owner.fill(accepted.length, candidate.start, candidate.end);
      continue;
    }
    if (!CONTAINER_KINDS.has(candidate.kind)) continue;
    const inner = [...overlapping].map((id) => accepted[id - 1] as Span);
    if (!inner.every((span) => span.start >= candidate.start && span.end <= candidate.end)) continue;
    const specific = inner.reduce((best, span) => (span.rank < best.rank ? span : best));
    for (const id of overlapping) accepted[id - 1] = undefined;
    accepted.push({ ...candidate, kind: specific.kind, rank: specific.rank });
    owner.fill(accepted.length, candidate.start, candidate.end);
  }
  return accepted.filter((span): span is Span => span !== undefined).sort((a, b) => a.start - b.start);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  // Also plain objects from another realm (the workflow sandbox), whose Object.prototype differs from ours.
  return proto === null || (typeof proto === 'object' && Object.getPrototypeOf(proto) === null);
}

export class Redactor {
  private readonly detectors: readonly Detector[];
  private readonly counts: RedactionReport = {};

  constructor(options: RedactionOptions = DEFAULT_OPTIONS) {
    this.detectors = options.personalData
      ? DETECTORS
      : DETECTORS.filter((detector) => !PERSONAL_DATA_KINDS.includes(detector.kind));
  }

  /** Cumulative counts over every call so far (a copy). */
  get report(): RedactionReport {
    return { ...this.counts };
  }

  /**
   * Replaces each finding with `[REDACTED:<kind>]` and counts it. Runs again over its own output until nothing more
   * is found (a few passes at most), so that the result is stable: a secret glued to another one, or the tail of a
   * match that lost an overlap, only shows its boundaries once its neighbour has become a marker.
   */
  text(value: string): string {
    if (typeof value !== 'string') return value;
    let current = value;
    for (let pass = 0; pass < MAX_PASSES && current.length > 0; pass++) {
      const candidates = findCandidates(current, this.detectors);
      if (candidates.length === 0) break;
      const spans = resolve(current, candidates);
      if (spans.length === 0) break;
      let out = '';
      let cursor = 0;
      for (const span of spans) {
        out += current.slice(cursor, span.start) + `[REDACTED:${span.kind}]`;
        cursor = span.end;
        this.counts[span.kind] = (this.counts[span.kind] ?? 0) + 1;
      }
      current = out + current.slice(cursor);
    }
    return current;
  }

  /**
   * A copy with every string inside arrays and plain objects redacted (values only: keys are kept). Numbers,
   * booleans, null, undefined and non-plain objects (Date, Map, class instances) are returned as they are.
   */
  deep<T>(value: T): T {
    return this.walk(value, new Map()) as T;
  }

  private walk(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.walk(item, seen));
      return out;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
    seen.set(value, out);
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a `__proto__` key from JSON.parse stays a plain property.
      Object.defineProperty(out, key, {
        value: this.walk(item, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

export function redactText(value: string, options?: RedactionOptions): { text: string; report: RedactionReport } {
  const redactor = new Redactor(options);
  const text = redactor.text(value);
  return { text, report: redactor.report };
}
