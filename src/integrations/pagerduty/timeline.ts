// Which log entries an evidence pack keeps when an incident has more than it can hold. PagerDuty's spec
// states no order for `GET /incidents/{id}/log_entries` (its guide shows the trigger first), so nothing
// here depends on it: entries are ordered by time (then id), and what matters survives the cut — the
// first trigger, every resolution, the latest notes, then the earliest and the latest of the rest. The
// middle is what goes. Pure and deterministic: the same entries give the same timeline in any order.
import type { ApiLogEntry } from './api';
import { logEntryKind, logEntryTime } from './mapper';

export interface TimelineCapOptions {
  /** The incident's `first_trigger_log_entry` id: kept even when other triggers came first in the list. */
  firstTriggerId?: string;
  /** How many of the latest notes (annotate entries) are kept before the rest is filled in. */
  latestNotes: number;
}

export interface CappedTimeline {
  /** Oldest first (entries without a readable time last), at most `limit`. */
  kept: ApiLogEntry[];
  /** Entries cut from the middle. */
  cut: number;
}

const timeOf = (entry: ApiLogEntry): number => {
  const at = logEntryTime(entry);
  return at === undefined ? Number.POSITIVE_INFINITY : Date.parse(at);
};

/** By time, then by id (PagerDuty's times have whole seconds: ties are common). */
export function byTimeThenId(a: ApiLogEntry, b: ApiLogEntry): number {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function capTimeline(entries: ApiLogEntry[], limit: number, options: TimelineCapOptions): CappedTimeline {
  const unique = [...new Map(entries.map((entry) => [entry.id, entry])).values()];
  const sorted = unique.sort(byTimeThenId);
  if (sorted.length <= limit) return { kept: sorted, cut: 0 };

  const chosen = new Set<number>();
  const keep = (index: number) => {
    if (index >= 0 && chosen.size < limit) chosen.add(index);
  };
  const kind = (index: number) => logEntryKind(sorted[index]?.type);
  const latestFirst = sorted.map((_, index) => sorted.length - 1 - index);

  // 1. The first trigger: the incident's own, else the earliest trigger in the list.
  const named = options.firstTriggerId === undefined ? -1 : sorted.findIndex((e) => e.id === options.firstTriggerId);
  keep(named >= 0 ? named : sorted.findIndex((_, index) => kind(index) === 'trigger'));
  // 2. Every resolution (the latest first, should there be more than fit).
  for (const index of latestFirst) if (kind(index) === 'resolve') keep(index);
  // 3. The latest notes.
  let notes = 0;
  for (const index of latestFirst) {
    if (notes >= options.latestNotes) break;
    if (kind(index) === 'annotate' && !chosen.has(index)) {
      keep(index);
      notes++;
    }
  }
  // 4. The earliest and the latest of the rest, alternately, until the timeline is full.
  let left = 0;
  let right = sorted.length - 1;
  let fromStart = true;
  while (chosen.size < limit && left <= right) {
    if (fromStart) {
      while (left <= right && chosen.has(left)) left++;
      if (left <= right) keep(left++);
    } else {
      while (right >= left && chosen.has(right)) right--;
      if (right >= left) keep(right--);
    }
    fromStart = !fromStart;
  }

  const kept = sorted.filter((_, index) => chosen.has(index));
  return { kept, cut: sorted.length - kept.length };
}
