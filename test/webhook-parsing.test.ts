import crypto, { createHmac } from 'node:crypto';
import { hasValidSharedSecret, hasValidSignature, isAuthentic, MAX_SIGNATURE_ENTRIES, parseWebhook, signaturesOf, signBody } from '../src/integrations/pagerduty/webhook';
import { incidentWebhook, pingWebhook, sampleIncident } from '../src/dev/simulation';

const body = Buffer.from(JSON.stringify(incidentWebhook('incident.acknowledged', sampleIncident())));
const hmac = (secret: string, bytes: Buffer) => createHmac('sha256', secret).update(bytes).digest('hex');

describe('PagerDuty v3 signatures', () => {
  it('accepts the signature made with the subscription secret', () => {
    expect(hasValidSignature(body, `v1=${hmac('secret-a', body)}`, ['secret-a'])).toBe(true);
    expect(hasValidSignature(body, signBody(body, 'secret-a'), ['secret-a'])).toBe(true);
  });

  it('rejects a signature made with another secret, a missing header and an empty list', () => {
    expect(hasValidSignature(body, `v1=${hmac('other', body)}`, ['secret-a'])).toBe(false);
    expect(hasValidSignature(body, undefined, ['secret-a'])).toBe(false);
    expect(hasValidSignature(body, `v1=${hmac('secret-a', body)}`, [])).toBe(false);
    expect(hasValidSignature(body, 'v1=', ['secret-a'])).toBe(false);
  });

  it('accepts any of two comma-separated signatures during rotation, against any configured secret', () => {
    const header = `v1=${hmac('old-secret', body)},v1=${hmac('new-secret', body)}`;
    expect(hasValidSignature(body, header, ['new-secret'])).toBe(true);
    expect(hasValidSignature(body, header, ['old-secret'])).toBe(true);
    expect(hasValidSignature(body, header, ['unrelated', 'new-secret'])).toBe(true);
    expect(hasValidSignature(body, header, ['unrelated'])).toBe(false);
  });

  it('ignores entries with another version prefix', () => {
    expect(hasValidSignature(body, `v2=${hmac('secret-a', body)}`, ['secret-a'])).toBe(false);
    expect(hasValidSignature(body, `v2=abc, v1=${hmac('secret-a', body)}`, ['secret-a'])).toBe(true);
  });

  it('refuses a header with more entries than PagerDuty sends, before hashing anything', () => {
    const valid = `v1=${hmac('secret-a', body)}`;
    const junk = (n: number) => Array.from({ length: n }, (_, i) => `v1=${i.toString(16).padStart(64, '0')}`);
    expect(hasValidSignature(body, [...junk(MAX_SIGNATURE_ENTRIES - 1), valid].join(','), ['secret-a'])).toBe(true);
    expect(hasValidSignature(body, [...junk(MAX_SIGNATURE_ENTRIES), valid].join(','), ['secret-a'])).toBe(false);
    // The 16 KB header of the report: about 3,200 entries, the valid one last.
    const hostile = [...junk(3_200), valid].join(',');
    const hashed = jest.spyOn(crypto, 'createHmac');
    try {
      expect(hasValidSignature(body, hostile, ['secret-a', 'b', 'c', 'd', 'e'])).toBe(false);
      expect(hashed).not.toHaveBeenCalled();
      expect(signaturesOf(hostile)).toBeUndefined();
      // A real header: one HMAC per secret, whatever the number of entries.
      expect(hasValidSignature(body, [...junk(3), valid].join(', '), ['secret-a', 'b', 'c'])).toBe(true);
      expect(hashed).toHaveBeenCalledTimes(3);
    } finally {
      hashed.mockRestore();
    }
  });

  it('takes only entries of the exact form: 64 hex digits, either case', () => {
    const digest = hmac('secret-a', body);
    expect(hasValidSignature(body, `v1=${digest.toUpperCase()}`, ['secret-a'])).toBe(true);
    expect(hasValidSignature(body, `v1=${digest}0`, ['secret-a'])).toBe(false);
    expect(hasValidSignature(body, `v1=${digest.slice(0, 63)}`, ['secret-a'])).toBe(false);
    expect(hasValidSignature(body, `v1=${digest.slice(0, 62)}zz`, ['secret-a'])).toBe(false);
    expect(signaturesOf(`v1=${digest}, v1=nothex, v0=${digest}`)).toEqual([Buffer.from(digest, 'hex')]);
  });

  it('fails a body whose JSON was re-serialized (verification is on raw bytes)', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(hasValidSignature(pretty, `v1=${hmac('secret-a', body)}`, ['secret-a'])).toBe(false);
  });

  it('accepts the guide’s shared-secret header', () => {
    expect(hasValidSharedSecret('shared', 'shared')).toBe(true);
    expect(hasValidSharedSecret('shared-but-longer', 'shared')).toBe(false);
    expect(hasValidSharedSecret(undefined, 'shared')).toBe(false);
    expect(hasValidSharedSecret('shared', undefined)).toBe(false);
    expect(isAuthentic(body, { sharedSecret: 'shared' }, { signingSecrets: ['x'], sharedSecret: 'shared' })).toBe(true);
    expect(isAuthentic(body, { sharedSecret: 'nope' }, { signingSecrets: ['x'], sharedSecret: 'shared' })).toBe(false);
  });
});

describe('webhook parsing', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('reduces an incident event to what the workflow needs', () => {
    const incident = sampleIncident({ id: 'PABC123', priority: null });
    const parsed = parseWebhook(incidentWebhook('incident.resolved', incident, { occurredAt: '2026-11-23T09:30:00Z' }), 'wh-1', now);
    expect(parsed.kind).toBe('incident_event');
    if (parsed.kind !== 'incident_event') return;
    expect(parsed.event).toMatchObject({
      type: 'incident.resolved',
      webhookId: 'wh-1',
      occurredAt: '2026-11-23T09:30:00.000Z',
      agent: '[REDACTED:person] PUSER01', // the agent's name is personal data: a pseudonym (see 'redaction at the bridge')
      incident: { id: 'PABC123', priority: null, urgency: 'high', service: { id: 'PSVC123', name: 'checkout-api' }, status: 'resolved' },
    });
  });

  it('finds the incident of a note event under data.incident', () => {
    const incident = sampleIncident({ id: 'PNOTE01' });
    const parsed = parseWebhook(incidentWebhook('incident.annotated', incident, { note: 'Rolled back' }), undefined, now);
    expect(parsed).toMatchObject({ kind: 'incident_event', event: { incident: { id: 'PNOTE01' }, note: 'Rolled back' } });
  });

  it('marks a merge resolution', () => {
    const parsed = parseWebhook(incidentWebhook('incident.resolved', sampleIncident(), { mergedInto: 'PSURVIVOR' }), undefined, now);
    expect(parsed).toMatchObject({ kind: 'incident_event', event: { incident: { mergedInto: 'PSURVIVOR' } } });
  });

  it('tolerates a missing created_at and a null agent', () => {
    const payload = incidentWebhook('incident.acknowledged', sampleIncident(), { agent: null });
    delete (payload.event.data as Record<string, unknown>).created_at;
    const parsed = parseWebhook(payload, undefined, now);
    expect(parsed).toMatchObject({ kind: 'incident_event', event: { agent: undefined, incident: { createdAt: undefined } } });
  });

  it('ignores the ping, service events and event types the project does not use', () => {
    expect(parseWebhook(pingWebhook(), undefined, now)).toMatchObject({ kind: 'ignored', eventType: 'pagey.ping' });
    const service = { event: { id: 'e1', event_type: 'service.updated', resource_type: 'service', occurred_at: now.toISOString(), data: { id: 'PSVC', type: 'service' } } };
    expect(parseWebhook(service, undefined, now)).toMatchObject({ kind: 'ignored', eventType: 'service.updated' });
    expect(parseWebhook(incidentWebhook('incident.escalated', sampleIncident()), undefined, now)).toMatchObject({ kind: 'ignored' });
  });

  it('calls a body without event or incident id invalid', () => {
    expect(parseWebhook({ hello: 'world' }, undefined, now)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/event/) });
    const noIncident = { event: { id: 'e2', event_type: 'incident.resolved', occurred_at: now.toISOString(), data: { type: 'incident' } } };
    expect(parseWebhook(noIncident, undefined, now)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/no incident id/) });
  });

  it('falls back to the receive time when occurred_at is missing or garbage', () => {
    const payload = incidentWebhook('incident.acknowledged', sampleIncident(), { occurredAt: 'yesterday-ish' });
    expect(parseWebhook(payload, undefined, now)).toMatchObject({ event: { occurredAt: now.toISOString() } });
  });

  it('reads reopened_at (UTC) from a reopened incident', () => {
    const payload = incidentWebhook('incident.reopened', sampleIncident(), { occurredAt: '2026-11-23T09:45:00Z' });
    Object.assign(payload.event.data as Record<string, unknown>, { reopened_at: '2026-11-23T04:44:59-05:00', status: 'triggered' });
    expect(parseWebhook(payload, undefined, now)).toMatchObject({ kind: 'incident_event', event: { type: 'incident.reopened', incident: { reopenedAt: '2026-11-23T09:44:59Z' } } });
  });

  it('a note PagerDuty trimmed says so, and carries trimmed; a whole note does not', () => {
    const incident = sampleIncident();
    const cut = incidentWebhook('incident.annotated', incident, { note: 'Rolled back v2.14 after the pool' });
    (cut.event.data as Record<string, unknown>).trimmed = true;
    expect(parseWebhook(cut, undefined, now)).toMatchObject({
      kind: 'incident_event',
      event: { trimmed: true, note: 'Rolled back v2.14 after the pool … (trimmed by PagerDuty)' },
    });
    const whole = parseWebhook(incidentWebhook('incident.annotated', incident, { note: 'Rolled back' }), undefined, now);
    expect(whole).toMatchObject({ event: { note: 'Rolled back' } });
    expect(whole.kind === 'incident_event' && 'trimmed' in whole.event).toBe(false);
  });

  it('an agent that is a service or an integration (a monitor resolving its own alert) is automation: no agent', () => {
    const payload = incidentWebhook('incident.resolved', sampleIncident());
    payload.event.agent = { id: 'PSVC123', type: 'service_reference', summary: 'checkout-api', self: '', html_url: '' };
    expect(parseWebhook(payload, undefined, now)).toMatchObject({ kind: 'incident_event', event: { agent: undefined } });
    payload.event.agent = { id: 'PUSER01', type: 'user_reference', summary: 'Ada Lovelace', self: '', html_url: '' };
    expect(parseWebhook(payload, undefined, now)).toMatchObject({ kind: 'incident_event', event: { agent: '[REDACTED:person] PUSER01' } });
    expect(parseWebhook(payload, undefined, now, { personalData: false })).toMatchObject({ kind: 'incident_event', event: { agent: 'Ada Lovelace' } });
  });
});

describe('redaction at the bridge: every free-text field, identifiers kept', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const github = 'ghp_' + 'FAKEfake00'.repeat(4).slice(0, 36);
  const email = 'grace.hopper@' + 'customer-example.com';

  it('title, note and the agent; ids, service, priority, URLs and times as PagerDuty sent them', () => {
    const incident = sampleIncident({ id: 'Q1ABCDEF234567', title: `Checkout 5xx, token ${github} leaked by ${email}` });
    const resolved = incidentWebhook('incident.resolved', incident, { occurredAt: '2026-11-23T09:30:00Z' });
    const parsed = parseWebhook(resolved, 'wh-1', now);
    expect(parsed).toEqual({
      kind: 'incident_event',
      event: {
        eventId: resolved.event.id,
        webhookId: 'wh-1',
        type: 'incident.resolved',
        occurredAt: '2026-11-23T09:30:00.000Z',
        agent: '[REDACTED:person] PUSER01',
        incident: {
          id: 'Q1ABCDEF234567',
          number: incident.number,
          title: 'Checkout 5xx, token [REDACTED:github_token] leaked by [REDACTED:email]',
          status: 'resolved',
          urgency: 'high',
          priority: 'P1',
          service: { id: 'PSVC123', name: 'checkout-api', htmlUrl: 'https://acme.pagerduty.com/services/PSVC123' },
          htmlUrl: 'https://acme.pagerduty.com/incidents/Q1ABCDEF234567',
          createdAt: incident.createdAt,
        },
        redactions: { github_token: 1, email: 1, person: 1 },
      },
    });

    const note = incidentWebhook('incident.annotated', incident, { note: `Called ${email} back, password=hunter2-FAKE` });
    expect(parseWebhook(note, undefined, now)).toMatchObject({
      event: { note: 'Called [REDACTED:email] back, password=[REDACTED:password_pair]', agent: '[REDACTED:person] PUSER01', redactions: { email: 1, password_pair: 1, person: 1 } },
    });
  });

  it('an agent whose name holds an email, or who has no usable id, still gets no name through', () => {
    const payload = incidentWebhook('incident.acknowledged', sampleIncident());
    payload.event.agent = { id: 'not an id', type: 'user_reference', summary: email, self: '', html_url: '' };
    expect(parseWebhook(payload, undefined, now)).toMatchObject({ event: { agent: '[REDACTED:person]' } });
    expect(parseWebhook(payload, undefined, now, { personalData: false })).toMatchObject({ event: { agent: email } });
    payload.event.agent = { id: 'PUSER02', type: 'user_reference', summary: `ops bot ${github}`, self: '', html_url: '' };
    expect(parseWebhook(payload, undefined, now, { personalData: false })).toMatchObject({ event: { agent: 'ops bot [REDACTED:github_token]', redactions: { github_token: 1 } } });
  });

  it('the same person reads the same in every event; two people differ', () => {
    const incident = sampleIncident();
    const ada = parseWebhook(incidentWebhook('incident.acknowledged', incident), undefined, now);
    const again = parseWebhook(incidentWebhook('incident.annotated', incident, { note: 'Rolled back' }), undefined, now);
    const other = incidentWebhook('incident.resolved', incident);
    other.event.agent = { id: 'PUSER02', type: 'user_reference', summary: 'Grace Hopper', self: '', html_url: '' };
    const agents = [ada, again, parseWebhook(other, undefined, now)].map((p) => (p.kind === 'incident_event' ? p.event.agent : undefined));
    expect(agents).toEqual(['[REDACTED:person] PUSER01', '[REDACTED:person] PUSER01', '[REDACTED:person] PUSER02']);
  });

  it('a note with a secret PagerDuty trimmed: redacted, then marked', () => {
    const cut = incidentWebhook('incident.annotated', sampleIncident(), { note: 'Rotated; old key was AKIA' + 'FAKEFAKEFAKE0000' });
    (cut.event.data as Record<string, unknown>).trimmed = true;
    expect(parseWebhook(cut, undefined, now)).toMatchObject({ event: { note: 'Rotated; old key was [REDACTED:aws_access_key] … (trimmed by PagerDuty)' } });
  });
});
