// The pure parts of the PagerDuty integration that decide what a pack holds: the timeline cap (whatever
// order PagerDuty lists log entries in), the time formats PagerDuty takes and sends, and the 6-month
// windows of `GET /incidents`. No server.
import type { ApiLogEntry } from '../src/integrations/pagerduty/api';
import { capTimeline } from '../src/integrations/pagerduty/timeline';
import { incidentWindows, MAX_INCIDENT_WINDOW_MS, pagerDutyTime, utcTime } from '../src/integrations/pagerduty/time';

const T0 = Date.parse('2026-02-01T00:00:00Z');
const entry = (id: string, type: string, minute: number): ApiLogEntry => ({ id, type: `${type}_log_entry`, created_at: new Date(T0 + minute * 60_000).toISOString().replace('.000Z', 'Z') });

/** A long incident: a trigger, `n` notify/annotate/escalate entries, a resolve, a reopen (trigger) and a second resolve. */
function longIncident(n: number): ApiLogEntry[] {
  const kinds = ['notify', 'annotate', 'escalate', 'assign'];
  const middle = Array.from({ length: n }, (_, i) => entry(`R${String(i).padStart(5, '0')}`, kinds[i % kinds.length] ?? 'notify', 1 + i));
  return [entry('RTRIGGER', 'trigger', 0), ...middle, entry('RRESOLV1', 'resolve', n + 1), entry('RREOPEN', 'trigger', n + 2), entry('RRESOLV2', 'resolve', n + 3)];
}

/** A deterministic shuffle (no Math.random in tests). */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('capTimeline', () => {
  it('keeps everything, oldest first (id breaking ties), when it fits', () => {
    const entries = [entry('RB', 'notify', 5), entry('RA', 'notify', 5), entry('RC', 'trigger', 0)];
    expect(capTimeline(entries, 10, { latestNotes: 5 })).toEqual({ kept: [entries[2], entries[1], entries[0]], cut: 0 });
  });

  it('the same timeline whatever order the entries come in: newest first, oldest first, shuffled', () => {
    const entries = longIncident(500);
    const reference = capTimeline(entries, 100, { firstTriggerId: 'RTRIGGER', latestNotes: 10 });
    expect(capTimeline([...entries].reverse(), 100, { firstTriggerId: 'RTRIGGER', latestNotes: 10 })).toEqual(reference);
    for (const seed of [1, 2, 3]) expect(capTimeline(shuffled(entries, seed), 100, { firstTriggerId: 'RTRIGGER', latestNotes: 10 })).toEqual(reference);
    // Entries at the same second are ordered by id.
    const tied = [entry('RZ', 'notify', 1), entry('RY', 'notify', 1), entry('RX', 'notify', 1), entry('RT', 'trigger', 0)];
    expect(capTimeline(tied, 3, { latestNotes: 0 }).kept.map((e) => e.id)).toEqual(capTimeline([...tied].reverse(), 3, { latestNotes: 0 }).kept.map((e) => e.id));
  });

  it('keeps the first trigger, every resolution and the latest notes, then the earliest and latest of the rest; the middle is cut', () => {
    const entries = longIncident(500);
    const { kept, cut } = capTimeline(shuffled(entries, 7), 100, { firstTriggerId: 'RTRIGGER', latestNotes: 10 });
    expect(kept).toHaveLength(100);
    expect(cut).toBe(entries.length - 100);
    const ids = kept.map((e) => e.id);
    expect(ids[0]).toBe('RTRIGGER');
    expect(ids).toEqual(expect.arrayContaining(['RRESOLV1', 'RREOPEN', 'RRESOLV2']));
    const latestNotes = entries.filter((e) => e.type === 'annotate_log_entry').slice(-10).map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(latestNotes));
    // Oldest first, and what is missing is one run in the middle.
    expect(kept.map((e) => e.created_at)).toEqual([...kept.map((e) => e.created_at)].sort());
    const positions = kept.map((e) => entries.findIndex((x) => x.id === e.id));
    const gaps = positions.slice(1).map((p, i) => p - (positions[i] ?? p));
    expect(gaps.filter((g) => g > 1)).toHaveLength(1);
    const gapAt = gaps.findIndex((g) => g > 1);
    expect(gapAt).toBeGreaterThan(30);
    expect(gapAt).toBeLessThan(60);
  });

  it('keeps the incident\'s own first trigger even when another trigger sorts first (a reopen entry with a skewed clock)', () => {
    const entries = [entry('RSKEWED', 'trigger', -5), ...longIncident(50)];
    const ids = capTimeline(entries, 10, { firstTriggerId: 'RTRIGGER', latestNotes: 2 }).kept.map((e) => e.id);
    expect(ids).toContain('RTRIGGER');
    // Without the incident's word, the earliest trigger is the first trigger.
    expect(capTimeline(entries, 10, { latestNotes: 2 }).kept.map((e) => e.id)).toContain('RSKEWED');
  });

  it('more resolutions than room: the latest win; entries without a readable time sort last', () => {
    const resolves = Array.from({ length: 6 }, (_, i) => entry(`RRES${i}`, 'resolve', i + 1));
    const { kept } = capTimeline([entry('RTRIG', 'trigger', 0), ...resolves], 4, { latestNotes: 0 });
    expect(kept.map((e) => e.id)).toEqual(['RTRIG', 'RRES3', 'RRES4', 'RRES5']);
    const untimed: ApiLogEntry = { id: 'RNOTIME', type: 'notify_log_entry', created_at: 'sometime' };
    expect(capTimeline([untimed, entry('RTRIG', 'trigger', 0)], 5, { latestNotes: 0 }).kept.map((e) => e.id)).toEqual(['RTRIG', 'RNOTIME']);
  });

  it('an entry listed twice (pages shifting) counts once', () => {
    const trigger = entry('RTRIG', 'trigger', 0);
    expect(capTimeline([trigger, entry('R1', 'notify', 1), trigger], 5, { latestNotes: 0 })).toEqual({ kept: [trigger, entry('R1', 'notify', 1)], cut: 0 });
  });
});

describe('PagerDuty times', () => {
  it('since/until as PagerDuty takes them: UTC, whole seconds, rounded down or up', () => {
    expect(pagerDutyTime(new Date('2026-02-10T15:18:04.169Z'))).toBe('2026-02-10T15:18:04Z');
    expect(pagerDutyTime(new Date('2026-02-10T15:18:04.169Z'), 'up')).toBe('2026-02-10T15:18:05Z');
    expect(pagerDutyTime(new Date('2026-02-10T15:18:04.000Z'), 'up')).toBe('2026-02-10T15:18:04Z');
    expect(() => pagerDutyTime(new Date('nope'))).toThrow(RangeError);
  });

  it('times PagerDuty sends, in any zone, as UTC ISO strings; zone-less or garbage times are not guessed', () => {
    expect(utcTime('2013-03-06T15:28:51-05:00')).toBe('2013-03-06T20:28:51Z');
    expect(utcTime('2018-08-09T14:40:48-07:00')).toBe('2018-08-09T21:40:48Z');
    expect(utcTime('2026-02-10T19:30:00+05:30')).toBe('2026-02-10T14:00:00Z');
    expect(utcTime('2015-10-06T21:30:42Z')).toBe('2015-10-06T21:30:42Z');
    expect(utcTime('2026-02-10T15:18:04.169Z')).toBe('2026-02-10T15:18:04.169Z');
    for (const bad of ['2026-02-10T15:18:04', '2026-02-10', 'yesterday', '', null, undefined]) expect(utcTime(bad)).toBeUndefined();
  });

  it('GET /incidents windows: consecutive, at most 180 days, boundaries shared exactly, rounded outwards', () => {
    const since = new Date('2025-01-01T00:00:00.400Z');
    const until = new Date('2026-02-05T10:00:00.200Z');
    const windows = incidentWindows(since, until);
    expect(windows).toEqual([
      { since: '2025-01-01T00:00:00Z', until: '2025-06-30T00:00:00Z' },
      { since: '2025-06-30T00:00:00Z', until: '2025-12-27T00:00:00Z' },
      { since: '2025-12-27T00:00:00Z', until: '2026-02-05T10:00:01Z' },
    ]);
    for (const w of windows) expect(Date.parse(w.until) - Date.parse(w.since)).toBeLessThanOrEqual(MAX_INCIDENT_WINDOW_MS);
    expect(incidentWindows(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-08T00:00:00Z'))).toEqual([{ since: '2026-01-01T00:00:00Z', until: '2026-01-08T00:00:00Z' }]);
    // Exactly 180 days is one window; a second more is two.
    expect(incidentWindows(new Date(0), new Date(MAX_INCIDENT_WINDOW_MS))).toHaveLength(1);
    expect(incidentWindows(new Date(0), new Date(MAX_INCIDENT_WINDOW_MS + 1000))).toHaveLength(2);
    expect(incidentWindows(until, since)).toEqual([]);
  });
});
