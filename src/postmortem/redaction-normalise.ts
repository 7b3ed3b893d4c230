// The text the detectors see: a normalised copy of the input, with a map back to the input's positions.
// Pure module (no Node imports).
//
// What would hide a secret from patterns written for plain text is undone in the copy:
// - invisible characters (zero-width space/joiners, word joiner, BOM, soft hyphen, bidi controls) are dropped,
//   so `ghp_ab<U+200B>cd…` is one token again;
// - URL encoding (`%3D`, `%22`, also doubled `%253D`) is decoded to printable ASCII;
// - runs of backslashes collapse to one, so JSON escaped twice or more (`\\\"password\\\":…`) reads like JSON
//   escaped once, which the detectors know (`\"password\":…`);
// - `\u00XX` escapes and the common HTML entities (`&quot;`, `&amp;`, `&#34;`…) are decoded.
// Findings are mapped back onto the input, and only those spans are replaced: the output keeps the input's own
// spelling everywhere else (`password%3D[REDACTED:password_pair]`), and markers, which none of this changes, stay
// protected, so redacting twice changes nothing.

export interface DetectionView {
  /** The normalised text. */
  text: string;
  /** `from[i]`: where char i of `text` starts in the input; `from[text.length]` is the input's length. Absent: same text. */
  from?: Int32Array;
}

const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;
const NEEDS_NORMALISING =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|%[0-9A-Fa-f]{2}|\\\\|\\u00[0-9A-Fa-f]{2}|&(?:quot|apos|amp|lt|gt|#\d{2,3}|#x[0-9A-Fa-f]{2});/;
const ENTITY = /&(?:(quot|apos|amp|lt|gt)|#(\d{2,3})|#x([0-9A-Fa-f]{2}));/y;
const NAMED: Readonly<Record<string, string>> = { quot: '"', apos: "'", amp: '&', lt: '<', gt: '>' };
/** Rounds of decoding: `%2522` → `%22` → `"`; `\\\\u0022` → `\u0022` → `"`. */
const ROUNDS = 3;

const hexValue = (code: number) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 65 && code <= 70 ? code - 55 : code >= 97 && code <= 102 ? code - 87 : -1;

function hexPair(input: string, at: number): number {
  if (at + 1 >= input.length) return -1;
  const high = hexValue(input.charCodeAt(at));
  const low = hexValue(input.charCodeAt(at + 1));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** Printable ASCII and the whitespace controls: what a decoded byte may become in the copy. */
const decodable = (code: number) => (code >= 0x20 && code <= 0x7e) || code === 0x09 || code === 0x0a || code === 0x0d;

/** One round: the decoded text and where each of its chars came from; undefined when nothing changed. */
function decodeOnce(input: string): DetectionView | undefined {
  const n = input.length;
  const from = new Int32Array(n + 1);
  const chunks: string[] = [];
  let length = 0;
  let runStart = 0;
  let changed = false;

  const flushRun = (end: number) => {
    if (end > runStart) {
      chunks.push(input.slice(runStart, end));
      for (let j = runStart; j < end; j++) from[length++] = j;
    }
  };
  const replace = (at: number, consumed: number, char: string) => {
    flushRun(at);
    if (char.length > 0) {
      chunks.push(char);
      from[length++] = at;
    }
    runStart = at + consumed;
    changed = true;
  };

  let i = 0;
  while (i < n) {
    const code = input.charCodeAt(i);
    if (code === 0x25 /* % */) {
      const value = hexPair(input, i + 1);
      if (value >= 0 && decodable(value)) {
        replace(i, 3, String.fromCharCode(value));
        i += 3;
        continue;
      }
    } else if (code === 0x5c /* \ */) {
      let end = i + 1;
      while (end < n && input.charCodeAt(end) === 0x5c) end++;
      if (end - i >= 2) {
        replace(i, end - i, '\\');
        i = end;
        continue;
      }
      if (input.startsWith('u00', i + 1)) {
        const value = hexPair(input, i + 4);
        if (value >= 0 && decodable(value)) {
          replace(i, 6, String.fromCharCode(value));
          i += 6;
          continue;
        }
      }
    } else if (code === 0x26 /* & */) {
      ENTITY.lastIndex = i;
      const entity = ENTITY.exec(input);
      if (entity) {
        const value = entity[1] ? (NAMED[entity[1]] as string) : String.fromCharCode(entity[2] ? Number(entity[2]) : parseInt(entity[3] as string, 16));
        if (entity[1] || decodable(value.charCodeAt(0))) {
          replace(i, entity[0].length, value);
          i += entity[0].length;
          continue;
        }
      }
    } else if (code >= 0xad && INVISIBLE.test(input[i] as string)) {
      replace(i, 1, '');
      i += 1;
      continue;
    }
    i++;
  }
  if (!changed) return undefined;
  flushRun(n);
  from[length] = n;
  return { text: chunks.join(''), from: from.subarray(0, length + 1) };
}

/** The text the detectors run over, with the map back to `input` when it differs. */
export function detectionView(input: string): DetectionView {
  if (!NEEDS_NORMALISING.test(input)) return { text: input };
  let view: DetectionView = { text: input };
  for (let round = 0; round < ROUNDS; round++) {
    const next = decodeOnce(view.text);
    if (!next) break;
    const outer = view.from;
    const inner = next.from as Int32Array;
    if (outer) for (let i = 0; i < inner.length; i++) inner[i] = outer[inner[i] as number] as number;
    view = next;
    if (!NEEDS_NORMALISING.test(view.text)) break;
  }
  return view;
}
