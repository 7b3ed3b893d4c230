// Redaction of secrets and personal data before incident text reaches Devin or Temporal history.
// Pure module (no Node imports): the bridge, the CLI and the evidence activity use it.
//
// Every finding is replaced by `[REDACTED:<kind>]` and counted; reports carry counts, never values.
// Overlaps are resolved once per secret, under the most specific kind (DETECTORS order: earlier wins). So
// `Bearer <JWT>` counts as jwt, `GITHUB_TOKEN=ghp_…` as github_token, `https://x:ghs_…@github.com` as github_token,
// and `password=jane@acme.io` as password_pair. A contextual match (pair value, bearer, URL password, AWS/Azure
// key value) that wholly contains a more specific one is redacted whole, still counted once under the specific kind.
// Existing `[REDACTED:…]` markers are never matched again, so redacting twice changes nothing.
//
// Detection runs over a normalised view of the text (./redaction-normalise.ts: invisible characters, URL encoding,
// doubled escapes undone); findings are mapped back and replaced in the text as it was, the rest untouched.
// Redactor.deep also reads object keys: a value under `password`, `token`, `api_key`, `authorization`… is
// redacted whole, whatever it looks like.

import { PERSONAL_DATA_KINDS, type RedactionKind, type RedactionReport } from '../domain/redaction-report';
import { CONTAINER_KINDS, type Detector, DETECTORS, isPlaceholderValue, secretKeyKind } from './redaction-detectors';
import { detectionView } from './redaction-normalise';

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
  for (let rank = 0; rank < detectors.length; rank++) {
    const detector = detectors[rank] as Detector;
    // exec on the shared global regexp, not matchAll (which clones it for every call): text() is synchronous.
    const pattern = detector.pattern;
    pattern.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text)) !== null) {
      if (match[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      let start = match.index;
      let end = start + match[0].length;
      if (detector.groups) {
        const found = match;
        const group = detector.groups.find((g) => found[g] !== undefined);
        const range = group === undefined ? undefined : match.indices?.[group];
        if (!range) continue;
        start = range[0];
        if (!detector.extendToMatchEnd) end = range[1];
      }
      if (detector.measure) {
        const length = detector.measure(text.slice(start, end));
        if (length <= 0) {
          // Not one here; one may start inside what was matched.
          pattern.lastIndex = match.index + 1;
          continue;
        }
        end = start + length;
      }
      if (end <= start) continue;
      if (detector.accept && !detector.accept(text.slice(start, end), match[0], match)) continue;
      spans.push({ start, end, kind: detector.kind, rank });
    }
  }
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

/** A pseudonym's id: PagerDuty's (`PUSR0A1`), or any short uppercase id; anything else is left out of it. */
const PERSON_ID = /^[A-Z0-9]{2,32}$/;
const PERSON_MARKER = '[REDACTED:person]';

export class Redactor {
  private readonly detectors: readonly Detector[];
  private readonly personalData: boolean;
  private readonly counts: RedactionReport = {};

  constructor(options: RedactionOptions = DEFAULT_OPTIONS) {
    this.personalData = options.personalData;
    this.detectors = options.personalData
      ? DETECTORS
      : DETECTORS.filter((detector) => !PERSONAL_DATA_KINDS.includes(detector.kind));
  }

  private count(kind: RedactionKind): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
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
      const view = detectionView(current);
      const candidates = findCandidates(view.text, this.detectors);
      if (candidates.length === 0) break;
      const spans = resolve(view.text, candidates);
      if (spans.length === 0) break;
      const from = view.from;
      let out = '';
      let cursor = 0;
      for (const span of spans) {
        // Back onto the text as it was: the span covers the encoded form of what was found.
        const start = from ? (from[span.start] as number) : span.start;
        const end = from ? (from[span.end] as number) : span.end;
        out += current.slice(cursor, start) + `[REDACTED:${span.kind}]`;
        cursor = end;
        this.count(span.kind);
      }
      current = out + current.slice(cursor);
    }
    return current;
  }

  /**
   * A value that is a secret because of where it is (an object key such as `password`): the whole value goes,
   * counted once, under the most specific secret found in it (`{"token": "ghp_…"}` is a github_token) or else
   * `kind`. Empty values, placeholders (`****`, `${VAR}`) and markers stay.
   */
  secretValue(value: string, kind: RedactionKind): string {
    if (typeof value !== 'string' || isPlaceholderValue(value)) return value;
    const view = detectionView(value);
    const specific = resolve(view.text, findCandidates(view.text, this.detectors))
      .filter((span) => !CONTAINER_KINDS.has(span.kind) && !PERSONAL_DATA_KINDS.includes(span.kind))
      .reduce<Span | undefined>((best, span) => (best === undefined || span.rank < best.rank ? span : best), undefined);
    const found = specific?.kind ?? kind;
    this.count(found);
    return `[REDACTED:${found}]`;
  }

  /**
   * A person's name where the data says it is one (a webhook's agent, a user_reference's summary). With personal
   * data redacted: a pseudonym, `[REDACTED:person] <id>` with the person's PagerDuty id (the same person reads the
   * same in every event of every incident, so responders are still told apart and counted, and an operator can
   * look the id up), or `[REDACTED:person]` without a usable id. Otherwise the name, as text() redacts it.
   */
  person(name: string, id?: string): string {
    if (!this.personalData) return this.text(name);
    if (typeof name !== 'string' || name.trim().length === 0 || name.startsWith(PERSON_MARKER)) return name;
    this.count('person');
    return id !== undefined && PERSON_ID.test(id) ? `${PERSON_MARKER} ${id}` : PERSON_MARKER;
  }

  /**
   * A copy of `value` in which every person the data names by reference (`known`: name → PagerDuty user id, from
   * the API's user references) reads as their pseudonym (person()) in every string: agents, authors, and the
   * summaries that name them ("Acknowledged by Jane Doe"). A name is matched whole, between non-letters; names
   * under 3 characters are left alone. Without personal-data redaction: `value` as it is.
   */
  people<T>(value: T, known: ReadonlyMap<string, string | undefined>): T {
    const names = [...known.keys()].filter((name) => name.trim().length >= 3).sort((a, b) => b.length - a.length);
    if (!this.personalData || names.length === 0) return value;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
    const visit = (item: unknown): unknown => {
      if (typeof item === 'string') return item.replace(pattern, (name) => this.person(name, known.get(name)));
      if (Array.isArray(item)) return item.map(visit);
      if (item === null || typeof item !== 'object' || !isPlainObject(item)) return item;
      return Object.fromEntries(Object.entries(item).map(([key, field]) => [key, visit(field)]));
    };
    return visit(value) as T;
  }

  /**
   * A copy with every string inside arrays and plain objects redacted (keys are kept). A string under a key that
   * names a secret (`password`, `client_secret`, `apiKey`, `token`, `authorization`, `cookie`, `private_key`…) is
   * redacted whole whatever it looks like, and so is every string inside an object or array under such a key.
   * Numbers, booleans, null, undefined and non-plain objects (Date, Map, class instances) are returned as they are.
   */
  deep<T>(value: T): T {
    return this.walk(value, { plain: new Map(), secret: new Map() }, undefined) as T;
  }

  private walk(value: unknown, seen: { plain: Map<object, unknown>; secret: Map<object, unknown> }, secretKind: RedactionKind | undefined): unknown {
    if (typeof value === 'string') return secretKind ? this.secretValue(value, secretKind) : this.text(value);
    if (value === null || typeof value !== 'object') return value;
    const cache = secretKind ? seen.secret : seen.plain;
    const known = cache.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      cache.set(value, out);
      for (const item of value) out.push(this.walk(item, seen, secretKind));
      return out;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
    cache.set(value, out);
    for (const [key, item] of Object.entries(value)) {
      // defineProperty: a `__proto__` key from JSON.parse stays a plain property.
      Object.defineProperty(out, key, {
        value: this.walk(item, seen, secretKind ?? secretKeyKind(key)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function redactText(value: string, options?: RedactionOptions): { text: string; report: RedactionReport } {
  const redactor = new Redactor(options);
  const text = redactor.text(value);
  return { text, report: redactor.report };
}
