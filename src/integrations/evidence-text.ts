// Evidence texts (log entry and alert summaries, alert details, notes, change events, Datadog and Sentry
// summaries) are redacted before they are clipped: a text clipped first can end in half a token, which no
// detector recognises, and that half would reach history and Devin. So the mappers and collectors keep texts
// whole (rawText), the evidence activity redacts the pack, and only then clips each text to its display bound
// (clipContext in ./pagerduty/evidence.ts, clipEvidence in ./collector.ts).

/**
 * What one text may hold before redaction: a bound for memory and redaction time (PagerDuty accepts alert bodies
 * up to 512 KB), far above the clips applied after redaction (1,000 and 500 characters).
 */
export const RAW_TEXT_CHARS = 64_000;

/**
 * A text as collected: trimmed and, past RAW_TEXT_CHARS, cut at the last whitespace before the bound, so the cut
 * falls between tokens (and far beyond what the final clip keeps).
 */
export function rawText(text: string | null | undefined): string {
  const value = (text ?? '').trim();
  if (value.length <= RAW_TEXT_CHARS) return value;
  const head = value.slice(0, RAW_TEXT_CHARS);
  const lastSpace = head.search(/\s\S*$/);
  return `${lastSpace > RAW_TEXT_CHARS / 2 ? head.slice(0, lastSpace) : head}…`;
}

/** A clipped text that ends inside a `[REDACTED:…]` marker loses the marker's start too: `…[REDACTED:gi…` → `……`. */
export function withoutCutMarker(clipped: string): string {
  return clipped.replace(/\[(?:R(?:E(?:D(?:A(?:C(?:T(?:E(?:D(?::[a-z_]*)?)?)?)?)?)?)?)?)?…$/, '…');
}
