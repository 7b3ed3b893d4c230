// The redaction corpus (test/fixtures/redaction-corpus.ts) at 100 %: every line of every kind is redacted,
// counted once under its kind, and stable when redacted again; the ordinary incident text is not touched.
import { REDACTION_KINDS } from '../src/domain/redaction-report';
import { redactText } from '../src/postmortem/redaction';
import { CORPUS, NOT_REDACTED } from './fixtures/redaction-corpus';

describe('corpus: every line is redacted under its kind', () => {
  it.each(CORPUS.map((entry) => [`${entry.kind}: ${entry.label}`, entry] as const))('%s', (_title, entry) => {
    for (const secret of entry.secrets) expect(entry.line).toContain(secret); // the fixture really holds it
    const { text, report } = redactText(entry.line);
    for (const secret of entry.secrets) expect(text).not.toContain(secret);
    expect(report).toEqual({ [entry.kind]: entry.count ?? 1 });
    if (entry.expected !== undefined) expect(text).toBe(entry.expected);
    expect(redactText(text)).toEqual({ text, report: {} });
  });

  it('covers every kind that text can hold (person is the bridge’s: agent names are not found in text)', () => {
    const covered = new Set(CORPUS.map((entry) => entry.kind));
    expect(REDACTION_KINDS.filter((kind) => !covered.has(kind))).toEqual(['person']);
  });

  it('the whole corpus as one alert body: 100 % detected, counted per line', () => {
    const body = CORPUS.map((entry) => entry.line).join('\n');
    const { text, report } = redactText(body);
    for (const entry of CORPUS) for (const secret of entry.secrets) expect(text).not.toContain(secret);
    const expected: Record<string, number> = {};
    for (const entry of CORPUS) expected[entry.kind] = (expected[entry.kind] ?? 0) + (entry.count ?? 1);
    expect(report).toEqual(expected);
  });
});

describe('corpus: ordinary incident text is not redacted', () => {
  it.each(NOT_REDACTED.map((entry) => [entry.label, entry.line] as const))('%s', (_label, line) => {
    expect(redactText(line)).toEqual({ text: line, report: {} });
  });
});
