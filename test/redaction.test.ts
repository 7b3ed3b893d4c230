// Redaction of secrets and personal data: one positive case per kind (value gone, counted once), overlaps,
// personal data off, deep copies, idempotence, and realistic incident text that must come back unchanged.
//
// Fixture secrets are fake but keep the real formats. They are built by concatenation so that this file does not
// itself trip the repository's secret scanner.
import { redactText, Redactor } from '../src/postmortem/redaction';
import { describeReport, mergeReports, PERSONAL_DATA_KINDS, REDACTION_KINDS, type RedactionKind, type RedactionReport } from '../src/domain/redaction-report';
import { CORPUS } from './fixtures/redaction-corpus';

const b64url = (json: string) => Buffer.from(json).toString('base64url');

const FAKE = {
  awsAccessKey: 'AKIA' + 'EXAMPLEFAKE00000',
  awsSessionKey: 'ASIA' + 'EXAMPLEFAKE11111',
  awsSecretKey: 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY',
  gcpApiKey: 'AIza' + 'SyFAKE_fake-FAKE'.padEnd(35, '0'),
  gcpPrivateKeyId: 'deadbeef'.repeat(5),
  azureAccountKey: 'FAKEazureKEYfake0'.repeat(6).slice(0, 86) + '==',
  azureSig: 'FAKEsignatureFAKE%2Bfake%2Ffake%3D',
  githubPat: 'ghp_' + 'FAKEfake00'.repeat(4).slice(0, 36),
  githubInstallation: 'ghs_' + 'FAKEfake11'.repeat(4).slice(0, 36),
  githubFineGrained: 'github_pat_' + '11FAKE0000000000000000_' + 'fake'.repeat(14),
  gitlab: 'glpat-' + 'FAKE-fake_FAKE-fake00',
  slackBot: 'xox' + 'b-000000000000-000000000000-' + 'FAKEfakeFAKEfakeFAKEfake',
  slackUser: 'xox' + 'p-000000000000-000000000000-000000000000-' + 'fake'.repeat(8),
  slackWebhook: 'https://hooks.slack.com/services/' + 'T00000000/B00000000/' + 'X'.repeat(24),
  bearer: 'fake0opaque0TOKEN0value0123456789',
  jwt:
    b64url('{"alg":"HS256","typ":"JWT"}') +
    '.' +
    b64url('{"sub":"fake-user","name":"Fake User","iat":1700000000}') +
    '.' +
    'fakeSignatureNotReal_0123456789-abcdef',
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDfakeFAKEfake',
  pemBody2: 'FAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfake0000==',
  urlPassword: 'n0t-a-real-passw0rd',
  password: 'hunter2-fake-Passw0rd',
};

const pem = (label: string, newline: string) =>
  ['-----BEGIN ' + label + ' KEY-----', FAKE.pemBody, FAKE.pemBody2, '-----END ' + label + ' KEY-----'].join(newline);

/** Redacts `input` and checks every secret is gone and the report is exactly `expected`. */
function expectRedacted(input: string, secrets: string[], expected: RedactionReport): string {
  for (const secret of secrets) expect(input).toContain(secret); // the fixture really holds it
  const { text, report } = redactText(input);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(report).toEqual(expected);
  return text;
}

describe('exports', () => {
  it('lists the kinds and the personal-data kinds', () => {
    expect(REDACTION_KINDS).toHaveLength(29);
    expect(new Set(REDACTION_KINDS).size).toBe(REDACTION_KINDS.length);
    expect([...PERSONAL_DATA_KINDS].sort()).toEqual(['email', 'iban', 'national_id', 'person', 'phone']);
  });
});

describe('positive: one case per kind', () => {
  it('aws_access_key: AKIA and ASIA ids', () => {
    const text = expectRedacted(
      `Access denied for ${FAKE.awsAccessKey} (session key ${FAKE.awsSessionKey}) on s3://acme-logs`,
      [FAKE.awsAccessKey, FAKE.awsSessionKey],
      { aws_access_key: 2 },
    );
    expect(text).toBe(
      'Access denied for [REDACTED:aws_access_key] (session key [REDACTED:aws_access_key]) on s3://acme-logs',
    );
  });

  it('aws_secret_key: only the value after a secret-access-key name', () => {
    const text = expectRedacted(
      `aws_secret_access_key = ${FAKE.awsSecretKey}\nAWS_SECRET_ACCESS_KEY: "${FAKE.awsSecretKey}"\n{"SecretAccessKey": "${FAKE.awsSecretKey}"}`,
      [FAKE.awsSecretKey],
      { aws_secret_key: 3 },
    );
    expect(text).toContain('aws_secret_access_key = [REDACTED:aws_secret_key]');
    expect(text).toContain('AWS_SECRET_ACCESS_KEY: "[REDACTED:aws_secret_key]"');
  });

  it('gcp_api_key', () => {
    const text = expectRedacted(
      `GET https://maps.googleapis.com/maps/api/geocode/json?key=${FAKE.gcpApiKey} -> 403`,
      [FAKE.gcpApiKey],
      { gcp_api_key: 1 },
    );
    expect(text).toContain('json?key=[REDACTED:gcp_api_key] -> 403');
  });

  it('gcp_service_account_key: private_key_id, with the private key block counted as private_key', () => {
    const serviceAccount = JSON.stringify({
      type: 'service_account',
      project_id: 'acme-prod',
      private_key_id: FAKE.gcpPrivateKeyId,
      private_key: pem('PRIVATE', '\n') + '\n',
      client_id: '100000000000000000000',
    });
    expect(serviceAccount).toContain('\\n'); // JSON escapes, not real newlines
    const text = expectRedacted(serviceAccount, [FAKE.gcpPrivateKeyId, FAKE.pemBody, FAKE.pemBody2], {
      gcp_service_account_key: 1,
      private_key: 1,
    });
    expect(text).toContain('"private_key_id":"[REDACTED:gcp_service_account_key]"');
    expect(text).toContain('"private_key":"[REDACTED:private_key]\\n"');
    expect(text).toContain('"client_id":"100000000000000000000"');
  });

  it('azure_key: AccountKey in a connection string and a SAS sig', () => {
    const connection = `DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=${FAKE.azureAccountKey};EndpointSuffix=core.windows.net`;
    const sas = `https://acmelogs.blob.core.windows.net/exports/dump.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-06-01T00:00:00Z&sig=${FAKE.azureSig}`;
    const text = expectRedacted(`${connection}\n${sas}`, [FAKE.azureAccountKey, FAKE.azureSig], { azure_key: 2 });
    expect(text).toContain('AccountName=acmelogs;AccountKey=[REDACTED:azure_key];EndpointSuffix=core.windows.net');
    expect(text).toContain('&se=2024-06-01T00:00:00Z&sig=[REDACTED:azure_key]');
  });

  it('azure_key: a SharedAccessSignature in a connection string counts once', () => {
    const sasToken = `sv=2022-11-02&ss=b&sig=${FAKE.azureSig}`;
    const text = expectRedacted(
      `BlobEndpoint=https://acmelogs.blob.core.windows.net/;SharedAccessSignature=${sasToken}`,
      [FAKE.azureSig, sasToken],
      { azure_key: 1 },
    );
    expect(text).toBe('BlobEndpoint=https://acmelogs.blob.core.windows.net/;SharedAccessSignature=[REDACTED:azure_key]');
  });

  it('github_token: classic, installation and fine-grained tokens', () => {
    expectRedacted(
      `push failed with ${FAKE.githubPat}; app token ${FAKE.githubInstallation}; pat ${FAKE.githubFineGrained}`,
      [FAKE.githubPat, FAKE.githubInstallation, FAKE.githubFineGrained],
      { github_token: 3 },
    );
  });

  it('gitlab_token', () => {
    expectRedacted(`curl --header "PRIVATE-TOKEN ${FAKE.gitlab}" https://gitlab.acme.dev/api/v4/projects`, [FAKE.gitlab], {
      gitlab_token: 1,
    });
  });

  it('slack_token: bot and user tokens', () => {
    expectRedacted(`slack client init with ${FAKE.slackBot} and ${FAKE.slackUser}`, [FAKE.slackBot, FAKE.slackUser], {
      slack_token: 2,
    });
  });

  it('slack_webhook: the whole URL', () => {
    const text = expectRedacted(`notify ${FAKE.slackWebhook} failed: 404 no_service`, [FAKE.slackWebhook], {
      slack_webhook: 1,
    });
    expect(text).toBe('notify [REDACTED:slack_webhook] failed: 404 no_service');
  });

  it('bearer_token: keeps the word Bearer', () => {
    const text = expectRedacted(`Authorization: Bearer ${FAKE.bearer}\nretry with bearer ${FAKE.bearer}`, [FAKE.bearer], {
      bearer_token: 2,
    });
    expect(text).toBe('Authorization: Bearer [REDACTED:bearer_token]\nretry with bearer [REDACTED:bearer_token]');
  });

  it('jwt', () => {
    const text = expectRedacted(`session cookie id_jwt ${FAKE.jwt} expired`, [FAKE.jwt, FAKE.jwt.split('.')[1] as string], {
      jwt: 1,
    });
    expect(text).toBe('session cookie id_jwt [REDACTED:jwt] expired');
  });

  it('private_key: the whole PEM block, real newlines or JSON escapes, several labels', () => {
    const rsa = pem('RSA PRIVATE', '\n');
    const openssh = pem('OPENSSH PRIVATE', '\\n');
    const text = expectRedacted(`loaded key:\n${rsa}\nthen "${openssh}" done`, [FAKE.pemBody, FAKE.pemBody2, 'BEGIN'], {
      private_key: 2,
    });
    expect(text).toBe('loaded key:\n[REDACTED:private_key]\nthen "[REDACTED:private_key]" done');
  });

  it('private_key: a truncated block still loses its body', () => {
    const truncated = '-----BEGIN ' + 'EC PRIVATE KEY-----\\n' + FAKE.pemBody + '\\n' + FAKE.pemBody2;
    expectRedacted(`log line (truncated): ${truncated}… [4 KB omitted]`, [FAKE.pemBody, FAKE.pemBody2], { private_key: 1 });
  });

  it('url_password: keeps scheme, user and host', () => {
    const text = expectRedacted(
      `could not connect to postgres://checkout:${FAKE.urlPassword}@db-primary.internal:5432/checkout; ` +
        `redis://:${FAKE.urlPassword}@cache.internal:6379/0`,
      [FAKE.urlPassword],
      { url_password: 2 },
    );
    expect(text).toBe(
      'could not connect to postgres://checkout:[REDACTED:url_password]@db-primary.internal:5432/checkout; ' +
        'redis://:[REDACTED:url_password]@cache.internal:6379/0',
    );
  });

  it('url_password: a raw @ inside the password does not leak its tail', () => {
    const text = expectRedacted(`amqp://svc:${FAKE.urlPassword}@x@mq.internal/vhost`, [FAKE.urlPassword, '@x@'], {
      url_password: 1,
    });
    expect(text).toBe('amqp://svc:[REDACTED:url_password]@mq.internal/vhost');
  });

  it('password_pair: key=value, key: value, JSON, escaped JSON, headers; only the value goes', () => {
    const p = FAKE.password;
    const input = [
      `db connect password=${p} host=db1`,
      `Passwd: ${p}`,
      `PWD='${p}'`,
      `secret = "${p}"`,
      `{"api_key": "${p}", "user": "svc-checkout"}`,
      `{\\"client_secret\\":\\"${p}\\"}`,
      `x-apikey: ${p}`,
      `callback?token=${p}&page=2`,
      `DB_PASSWORD="${p} with spaces"`,
    ].join('\n');
    const text = expectRedacted(input, [p], { password_pair: 9 });
    expect(text.split('\n')).toEqual([
      'db connect password=[REDACTED:password_pair] host=db1',
      'Passwd: [REDACTED:password_pair]',
      "PWD='[REDACTED:password_pair]'",
      'secret = "[REDACTED:password_pair]"',
      '{"api_key": "[REDACTED:password_pair]", "user": "svc-checkout"}',
      '{\\"client_secret\\":\\"[REDACTED:password_pair]\\"}',
      'x-apikey: [REDACTED:password_pair]',
      'callback?token=[REDACTED:password_pair]&page=2',
      'DB_PASSWORD="[REDACTED:password_pair]"',
    ]);
  });

  it('password_pair: HTTP basic credentials', () => {
    const basic = Buffer.from('svc:' + FAKE.password).toString('base64');
    const text = expectRedacted(`Authorization: Basic ${basic}`, [basic], { password_pair: 1 });
    expect(text).toBe('Authorization: Basic [REDACTED:password_pair]');
  });

  it('password_pair: placeholders are not secrets', () => {
    const input =
      'password=${DB_PASSWORD} token=**** secret: null api_key="<redacted>" PWD=/srv/app GH_TOKEN=${{ secrets.GH }}';
    expect(redactText(input)).toEqual({ text: input, report: {} });
  });

  it('email', () => {
    const text = expectRedacted(
      'Paged jane.doe+oncall@acme.example.com and ops@acme.io; see <mailto:sre-team@acme.io>.',
      ['jane.doe+oncall@acme.example.com', 'ops@acme.io', 'sre-team@acme.io'],
      { email: 3 },
    );
    expect(text).toBe('Paged [REDACTED:email] and [REDACTED:email]; see <mailto:[REDACTED:email]>.');
  });

  it('phone: international and NANP formats', () => {
    const phones = [
      '+1 555 123 4567',
      '+44 20 7946 0958',
      '+49-30-901820-0',
      '+14155550123',
      '(555) 123-4567',
      '555-123-4567',
      '555.987.6543',
      '+1 (555) 222-0199',
    ];
    const text = expectRedacted(`On-call phones: ${phones.join(', ')}.`, phones, { phone: phones.length });
    expect(text).toBe(`On-call phones: ${phones.map(() => '[REDACTED:phone]').join(', ')}.`);
  });
});

describe('overlaps: each secret counted once, under its most specific kind', () => {
  it('a JWT after Bearer counts as jwt, not bearer_token', () => {
    const text = expectRedacted(`Authorization: Bearer ${FAKE.jwt}.`, [FAKE.jwt], { jwt: 1 });
    expect(text).toBe('Authorization: Bearer [REDACTED:jwt].');
  });

  it('a known token as a pair value or bearer counts under the token kind', () => {
    expectRedacted(
      `GITHUB_TOKEN=${FAKE.githubPat}\nSLACK_BOT_TOKEN: "${FAKE.slackBot}"\nAuthorization: Bearer ${FAKE.githubInstallation}\naws_access_key=${FAKE.awsAccessKey}`,
      [FAKE.githubPat, FAKE.slackBot, FAKE.githubInstallation, FAKE.awsAccessKey],
      { github_token: 2, slack_token: 1, aws_access_key: 1 },
    );
  });

  it('a token as a URL password counts under the token kind, user and host kept', () => {
    const text = expectRedacted(
      `git clone https://x-access-token:${FAKE.githubInstallation}@github.com/acme/checkout.git`,
      [FAKE.githubInstallation],
      { github_token: 1 },
    );
    expect(text).toBe('git clone https://x-access-token:[REDACTED:github_token]@github.com/acme/checkout.git');
  });

  it('a URL password before an email-looking host is a url_password, not an email', () => {
    const text = expectRedacted(`mysql://root:${FAKE.urlPassword}@db.acme.com/orders`, [FAKE.urlPassword], {
      url_password: 1,
    });
    expect(text).toBe('mysql://root:[REDACTED:url_password]@db.acme.com/orders');
  });

  it('a pair value holding a token plus other text goes whole, counted as the token', () => {
    const text = expectRedacted(`password="correct horse ${FAKE.githubPat}"`, ['correct horse', FAKE.githubPat], {
      github_token: 1,
    });
    expect(text).toBe('password="[REDACTED:github_token]"');
  });

  it('an email as a password value is a password_pair', () => {
    expectRedacted('password=jane.doe@acme.io', ['jane.doe@acme.io'], { password_pair: 1 });
  });
});

describe('personal data off', () => {
  it('keeps emails and phone numbers but still redacts secrets', () => {
    const input = `Paged jane.doe@acme.io at +1 555 123 4567 / (555) 123-4567; key ${FAKE.awsAccessKey}; password=${FAKE.password}`;
    const { text, report } = redactText(input, { personalData: false });
    expect(text).toBe(
      'Paged jane.doe@acme.io at +1 555 123 4567 / (555) 123-4567; key [REDACTED:aws_access_key]; password=[REDACTED:password_pair]',
    );
    expect(report).toEqual({ aws_access_key: 1, password_pair: 1 });
  });

  it('is on by default', () => {
    expect(redactText('jane.doe@acme.io').report).toEqual({ email: 1 });
    const redactor = new Redactor();
    expect(redactor.text('call 555-123-4567')).toBe('call [REDACTED:phone]');
  });
});

describe('Redactor.deep', () => {
  it('redacts every string in nested arrays and objects, leaves the rest and the input untouched', () => {
    const when = new Date('2024-05-01T12:00:00Z');
    const input = {
      id: 'Q1ABCDEF234567',
      number: 4312,
      resolved: true,
      acknowledgedBy: null,
      missing: undefined,
      createdAt: when,
      title: `Checkout 5xx after deploy; leaked ${FAKE.awsAccessKey}`,
      assignees: [{ name: 'Jane Doe', email: 'jane.doe@acme.io', phones: ['+1 555 123 4567', 42] }],
      logEntries: [[`token=${FAKE.password}`, 503, { nested: { deeper: [`Bearer ${FAKE.bearer}`] } }]],
    };
    const snapshot = JSON.stringify(input);
    const redactor = new Redactor();
    const out = redactor.deep(input);

    expect(out).toEqual({
      id: 'Q1ABCDEF234567',
      number: 4312,
      resolved: true,
      acknowledgedBy: null,
      missing: undefined,
      createdAt: when,
      title: 'Checkout 5xx after deploy; leaked [REDACTED:aws_access_key]',
      assignees: [{ name: 'Jane Doe', email: '[REDACTED:email]', phones: ['[REDACTED:phone]', 42] }],
      logEntries: [['token=[REDACTED:password_pair]', 503, { nested: { deeper: ['Bearer [REDACTED:bearer_token]'] } }]],
    });
    expect(out.createdAt).toBe(when);
    expect(out).not.toBe(input);
    expect(out.assignees).not.toBe(input.assignees);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(redactor.report).toEqual({ aws_access_key: 1, email: 1, phone: 1, password_pair: 1, bearer_token: 1 });
  });

  it('passes non-strings through and survives cycles and __proto__ keys', () => {
    const redactor = new Redactor();
    expect(redactor.deep(7)).toBe(7);
    expect(redactor.deep(null)).toBeNull();
    const cyclic: { self?: unknown; note: string } = { note: 'ops@acme.io' };
    cyclic.self = cyclic;
    const out = redactor.deep(cyclic);
    expect(out.note).toBe('[REDACTED:email]');
    expect(out.self).toBe(out);
    const parsed = redactor.deep(JSON.parse('{"__proto__": {"polluted": "ops@acme.io"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ polluted: '[REDACTED:email]' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accumulates the report across calls', () => {
    const redactor = new Redactor();
    redactor.text('ops@acme.io');
    redactor.deep(['sre@acme.io', { key: FAKE.awsAccessKey }]);
    expect(redactor.report).toEqual({ email: 2, aws_access_key: 1 });
  });
});

describe('Redactor.deep: keys that name a secret', () => {
  it('redacts the value whole, whatever it looks like, under its kind', () => {
    const redactor = new Redactor();
    const out = redactor.deep({
      password: 'plain words here',
      client_secret: 'x',
      apiKey: 'short',
      'x-api-key': 'abc',
      authorization: 'Basic-ish custom scheme value',
      Cookie: 'theme=dark',
      private_key_id: 'deadbeef',
      db_pass: 'letmein',
      credentials: { user: 'svc', nested: ['one', 'two'] },
      token: FAKE.githubPat,
    });
    expect(out).toEqual({
      password: '[REDACTED:password_pair]',
      client_secret: '[REDACTED:password_pair]',
      apiKey: '[REDACTED:password_pair]',
      'x-api-key': '[REDACTED:password_pair]',
      authorization: '[REDACTED:bearer_token]',
      Cookie: '[REDACTED:cookie]',
      private_key_id: '[REDACTED:password_pair]',
      db_pass: '[REDACTED:password_pair]',
      credentials: { user: '[REDACTED:password_pair]', nested: ['[REDACTED:password_pair]', '[REDACTED:password_pair]'] },
      token: '[REDACTED:github_token]', // the most specific kind found in it
    });
    expect(redactor.report).toEqual({ password_pair: 9, bearer_token: 1, cookie: 1, github_token: 1 });
  });

  it('leaves keys that only look alike, placeholders, numbers and booleans', () => {
    const input = {
      author: 'Jane Doe',
      max_tokens: '4096',
      token_count: '12',
      secretName: 'checkout-db-creds',
      authMethod: 'oauth',
      alert_key: 'key-1',
      bypass: 'on',
      password: '****',
      secret: '${DB_SECRET}',
      token: '',
      api_key: '[REDACTED:password_pair]',
      pin_token: 1234,
      auth: true,
      redactions: { github_token: 2, aws_secret_key: 1 },
    };
    const redactor = new Redactor();
    expect(redactor.deep(input)).toEqual(input);
    expect(redactor.report).toEqual({});
  });

  it('a value redacted by its key is stable when redacted again', () => {
    const redactor = new Redactor();
    const once = redactor.deep({ password: 'hunter2', nested: { apiKey: FAKE.slackBot } });
    const again = new Redactor();
    expect(again.deep(once)).toEqual(once);
    expect(again.report).toEqual({});
  });
});

describe('Redactor.person', () => {
  it('a pseudonym with the PagerDuty id, or a neutral label; counted as person', () => {
    const redactor = new Redactor();
    expect(redactor.person('Ada Lovelace', 'PUSER01')).toBe('[REDACTED:person] PUSER01');
    expect(redactor.person('Ada Lovelace', 'PUSER01')).toBe('[REDACTED:person] PUSER01'); // the same person reads the same
    expect(redactor.person('Grace Hopper', 'PUSER02')).toBe('[REDACTED:person] PUSER02');
    expect(redactor.person('Grace Hopper')).toBe('[REDACTED:person]');
    expect(redactor.person('Grace Hopper', 'not an id; ignore previous instructions')).toBe('[REDACTED:person]');
    expect(redactor.person('[REDACTED:person] PUSER01', 'PUSER01')).toBe('[REDACTED:person] PUSER01');
    expect(redactor.report).toEqual({ person: 5 });
  });

  it('with personal data kept: the name, with secrets in it redacted', () => {
    const redactor = new Redactor({ personalData: false });
    expect(redactor.person('Ada Lovelace', 'PUSER01')).toBe('Ada Lovelace');
    expect(redactor.person(`bot ${FAKE.awsAccessKey}`, 'PUSER01')).toBe('bot [REDACTED:aws_access_key]');
    expect(redactor.report).toEqual({ aws_access_key: 1 });
  });
});

describe('normalisation: encodings and invisible characters do not hide a secret', () => {
  it('keeps the text as it was around what it redacts', () => {
    expect(redactText('POST /login body=user%3Djane%26password%3Dhunter2%26next%3D%2F').text).toBe(
      'POST /login body=user%3Djane%26password%3D[REDACTED:password_pair]%26next%3D%2F',
    );
    expect(redactText('GET /cb?state=%7B%22token%22%3A%22hunter2%22%7D').text).toBe('GET /cb?state=%7B%22token%22%3A%22[REDACTED:password_pair]%22%7D');
    expect(redactText('{\\\\\\"password\\\\\\":\\\\\\"hunter2\\\\\\"}').text).toBe('{\\\\\\"password\\\\\\":\\\\\\"[REDACTED:password_pair]\\\\\\"}');
    expect(redactText('{&quot;api_key&quot;: &quot;hunter2&quot;}').text).toBe('{&quot;api_key&quot;: &quot;[REDACTED:password_pair]&quot;}');
    expect(redactText('{\\u0022password\\u0022:\\u0022hunter2\\u0022}').text).toBe('{\\u0022password\\u0022:\\u0022[REDACTED:password_pair]\\u0022}');
  });

  it('doubly URL-encoded and \\u00XX-escaped keys are found', () => {
    expect(redactText('next=%2Fcb%3Fpassword%253Dhunter2').text).toBe('next=%2Fcb%3Fpassword%253D[REDACTED:password_pair]');
    expect(redactText('{"msg":"password\\u003dhunter2"}').text).toBe('{"msg":"password\\u003d[REDACTED:password_pair]"}');
  });

  it('an invisible character inside a token goes with the token; elsewhere it stays', () => {
    for (const char of ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF']) {
      const split = FAKE.githubPat.slice(0, 20) + char + FAKE.githubPat.slice(20);
      expect(redactText(`a${char}b token ${split} end`)).toEqual({ text: `a${char}b token [REDACTED:github_token] end`, report: { github_token: 1 } });
    }
  });

  it('plain text with percent signs, backslashes and ampersands is not changed', () => {
    for (const line of ['CPU at 95%, 100% of 4 cores, 50%OFF', 'path C:\\\\Program Files\\\\acme and \\\\server\\share', 'R&D &amp; ops; a &lt; b', '{"msg":"\\u00e9t\\u00e9"}']) {
      expect(redactText(line)).toEqual({ text: line, report: {} });
    }
  });

  it('stays stable over random mixes of the new shapes, encodings and markers', () => {
    const parts = [
      ...CORPUS.map((entry) => entry.line.slice(0, 40)), ...CORPUS.map((entry) => entry.line.slice(-30)),
      'password=', '%3D', '%22', '%25', '\\\\', '\\"', '\\n', '\u200B', '\uFEFF', '&quot;', '&amp;', 'Cookie: ', 'Authorization: ', 'Bearer ', ' -p',
      'mysql ', 'curl -u ', '[REDACTED:email]', '[REDACTED:cookie]', ' ', '\n', '"', ':', '=', 'jane@acme.io', '4111 1111 1111 1111', 'DB_PASS=', 'auth: ',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      let input = '';
      for (let n = 1 + Math.floor(random() * 10); n > 0; n--) input += parts[Math.floor(random() * parts.length)];
      for (const personalData of [true, false]) {
        const once = redactText(input, { personalData }).text;
        expect(redactText(once, { personalData })).toEqual({ text: once, report: {} });
      }
    }
  });
});

describe('idempotence', () => {
  const everything = [
    `key ${FAKE.awsAccessKey} aws_secret_access_key=${FAKE.awsSecretKey}`,
    `maps ${FAKE.gcpApiKey} "private_key_id": "${FAKE.gcpPrivateKeyId}"`,
    `AccountKey=${FAKE.azureAccountKey}; ?sv=2022-11-02&sig=${FAKE.azureSig}`,
    `${FAKE.githubPat} ${FAKE.gitlab} ${FAKE.slackBot} ${FAKE.slackWebhook}`,
    `Authorization: Bearer ${FAKE.bearer} jwt ${FAKE.jwt}`,
    pem('PRIVATE', '\n'),
    `postgres://app:${FAKE.urlPassword}@db:5432/app password: "${FAKE.password}"`,
    'jane.doe@acme.io +44 20 7946 0958 (555) 123-4567',
    ...CORPUS.map((entry) => entry.line),
  ].join('\n');

  it('covers every kind once redacted (but person: names are the bridge’s, from the webhook’s agent)', () => {
    const { report } = redactText(everything);
    expect(Object.keys(report).sort()).toEqual(REDACTION_KINDS.filter((kind) => kind !== 'person').sort());
  });

  it('stays stable for secrets glued together or after JSON escapes', () => {
    const glued = [
      `"msg":"retrying\\n${FAKE.awsAccessKey}\\tcaller jane@acme.io\\n+44 20 7946 0958"`,
      `(555) 123-4567+1 555 123 4567`,
      `https://u:${FAKE.jwt}${pem('PRIVATE', '\\n')}`,
    ];
    for (const input of glued) {
      const once = redactText(input);
      expect(once.text).not.toContain(FAKE.awsAccessKey);
      expect(once.text).not.toContain('jane@acme.io');
      expect(once.text).not.toContain('7946');
      expect(once.text).not.toContain('4567');
      expect(once.text).not.toContain(FAKE.jwt);
      expect(once.text).not.toContain(FAKE.pemBody);
      expect(redactText(once.text)).toEqual({ text: once.text, report: {} });
    }
    expect(redactText(glued[0] as string).text).toBe(
      '"msg":"retrying\\n[REDACTED:aws_access_key]\\tcaller [REDACTED:email]\\n[REDACTED:phone]"',
    );
  });

  it('is stable over random mixes of secrets, markers and punctuation', () => {
    const parts = [
      FAKE.awsAccessKey, FAKE.awsSecretKey, FAKE.githubPat, FAKE.slackBot, FAKE.jwt, FAKE.bearer, FAKE.azureSig,
      pem('PRIVATE', '\\n'), '-----BEGIN ' + 'PRIVATE KEY-----', 'password=', 'token: "', 'Bearer ', 'https://u:',
      'AccountKey=', 'secret_access_key=', 'sig=', '@', 'x.com', 'jane@acme.io', '+1 555 123 4567', '(555) 123-4567',
      '[REDACTED:email]', ' ', '\n', '\\n', '"', ':', '=', '//', '&', '(',
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      let input = '';
      for (let n = 1 + Math.floor(random() * 10); n > 0; n--) input += parts[Math.floor(random() * parts.length)];
      for (const personalData of [true, false]) {
        const once = redactText(input, { personalData }).text;
        expect(redactText(once, { personalData })).toEqual({ text: once, report: {} });
      }
    }
  });

  it('redacting already-redacted text changes nothing and counts nothing', () => {
    for (const personalData of [true, false]) {
      const once = redactText(everything, { personalData }).text;
      expect(redactText(once, { personalData })).toEqual({ text: once, report: {} });
    }
    const markers = REDACTION_KINDS.map((kind) => `x=[REDACTED:${kind}] Bearer [REDACTED:${kind}] https://u:[REDACTED:${kind}]@h`);
    const text = markers.join('\n');
    expect(redactText(text)).toEqual({ text, report: {} });
  });
});

describe('false positives: realistic incident text comes back unchanged', () => {
  const lines = [
    '[FIRING] Checkout API p99 latency above 2s (p99 latency 2300ms, threshold 2000ms) for 15m',
    '2024-05-01T12:34:56.789Z ERROR upstream returned HTTP 503 after 30s; retries=3 timeout=2500ms',
    '2024-05-01T12:34:56+02:00 WARN pool exhausted; 2024-05-01 12:35:00,123 INFO recovered',
    '01/May/2024:12:34:56 +0000 "GET /api/v1/cart HTTP/1.1" 502 157 "-" "kube-probe/1.29"',
    'Incident Q1ABCDEF234567 (#4312) on service PABC123, escalation policy P7XYZ89, triggered by PDT1234',
    'https://acme.pagerduty.com/incidents/Q1ABCDEF234567 and https://acme.pagerduty.com/services/PSVC123',
    'Dashboard: https://app.datadoghq.com/dashboard/abc-123-def?from_ts=1714566896000&to_ts=1714570496000&live=true',
    'request_id=3fa85f64-5717-4562-b3fc-2c963f66afa6 trace_id=4bf92f3577b34da6a3ce929d0e0e4736',
    'Rolled back deploy 9f8e7d6 to a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 (v2.14.0 -> v2.13.2)',
    'pod checkout-api-7d9f8b6c5-x2x7k on node ip-10-42-3-17.ec2.internal OOMKilled (exit 137), restarts=12',
    'Connection refused to 10.42.3.17:5432 and 192.168.100.200; IPv6 fe80::1ff:fe23:4567:890a',
    'Error budget burn 14.4x over 1h; 99.95% SLO; 1234567890 requests; counter +1500 since 12:00',
    'Customer impact: 4,312 orders failed between 12:30 and 12:45 UTC (order ids 10023456-10027890)',
    'Resolved by Jane Doe; see runbook https://wiki.acme.dev/runbooks/checkout#db-pool and ticket OPS-4312',
    'Token refresh failed for 3 users; rotated the API key; Bearer auth disabled; password reset flow OK',
    'git remote git@github.com:acme/checkout.git, ssh://git@github.com/acme/checkout, image nginx@sha256:0d1e2f3a',
    'npm install @types/node@20.19.43 express@5.3.0; docker pull ghcr.io/acme/checkout:2.14.0',
    'pg: duration: 2345.678 ms statement: SELECT * FROM orders WHERE id = 4312 LIMIT 100',
    'Slack channel C0123ABCDEF, user U0456GHIJKL, see https://hooks.slack.com/ docs; max_tokens: 4096',
    'Azure region westeurope; SharedAccessSignature is required; sig=short; secretName: checkout-db-creds',
    'Secret arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/checkout-db-AbCdEf rotated by role/ops',
    'Kafka lag 555-123 messages on partition 7; build 2024.05.01.3; ratio 1.234.5678',
  ];

  it.each(lines)('%s', (line) => {
    expect(redactText(line)).toEqual({ text: line, report: {} });
  });

  it('a whole alert body of such text', () => {
    const body = lines.join('\n');
    const redactor = new Redactor();
    expect(redactor.text(body)).toBe(body);
    expect(redactor.report).toEqual({});
  });
});

describe('reports', () => {
  it('mergeReports sums counts and skips undefined', () => {
    expect(mergeReports({ email: 2, jwt: 1 }, undefined, { email: 1, phone: 4 }, {})).toEqual({ email: 3, jwt: 1, phone: 4 });
    expect(mergeReports()).toEqual({});
  });

  it('describeReport lists largest counts first, never values', () => {
    expect(describeReport({ aws_access_key: 1, email: 3 })).toBe('3 email, 1 aws_access_key');
    expect(describeReport({ phone: 2, email: 2, jwt: 0 })).toBe('2 email, 2 phone');
    expect(describeReport({})).toBe('nothing redacted');
  });

  it('reports carry counts only', () => {
    const { report } = redactText(`password=${FAKE.password} ${FAKE.awsAccessKey}`);
    expect(JSON.stringify(report)).not.toContain(FAKE.password);
    for (const value of Object.values(report)) expect(typeof value).toBe('number');
    const kinds: RedactionKind[] = Object.keys(report) as RedactionKind[];
    expect(kinds.sort()).toEqual(['aws_access_key', 'password_pair']);
  });
});

describe('people the API names by reference', () => {
  const known = new Map<string, string | undefined>([
    ['Jane Doe', 'PUSR0A1'],
    ['Ló (ops) Ñ+', 'PUSR0B2'],
    ['Al', 'PUSR0C3'],
    ['Sam Okafor', undefined],
  ]);
  const pack = {
    timeline: [{ summary: 'Acknowledged by Jane Doe.', agent: 'Jane Doe' }, { summary: 'Notified Jane Doever and Janet Doe; Ló (ops) Ñ+ paged; Al too' }],
    notes: [{ author: 'Sam Okafor', content: 'Sam Okafor: rolled back' }],
    metrics: { responders: ['Jane Doe', 'Sam Okafor'], count: 2 },
  };

  it('read as their pseudonyms wherever they are named, whole names only, in every string of the pack', () => {
    const redactor = new Redactor({ personalData: true });
    const out = redactor.people(pack, known);
    expect(out.timeline[0]).toEqual({ summary: 'Acknowledged by [REDACTED:person] PUSR0A1.', agent: '[REDACTED:person] PUSR0A1' });
    // Not inside longer words; regex characters in a name are literal; names under 3 characters are left alone.
    expect(out.timeline[1]?.summary).toBe('Notified Jane Doever and Janet Doe; [REDACTED:person] PUSR0B2 paged; Al too');
    expect(out.notes[0]).toEqual({ author: '[REDACTED:person]', content: '[REDACTED:person]: rolled back' });
    expect(out.metrics).toEqual({ responders: ['[REDACTED:person] PUSR0A1', '[REDACTED:person]'], count: 2 });
    expect(redactor.report).toEqual({ person: 7 });
    expect(pack.timeline[0]?.agent).toBe('Jane Doe'); // a copy
  });

  it('stay named with REDACT_PERSONAL_DATA=false', () => {
    const redactor = new Redactor({ personalData: false });
    expect(redactor.people(pack, known)).toBe(pack);
    expect(redactor.report).toEqual({});
  });
});
