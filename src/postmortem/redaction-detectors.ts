// What the redaction engine (./redaction.ts) looks for: one detector per kind of secret or personal data,
// most specific first. Each is a regexp written to start with its literal part (see `bounded`), so V8
// can scan for the literal instead of trying every position.
//
// The engine runs them over a normalised view of the text (./redaction-normalise.ts: no zero-width
// characters, URL-encoding, doubled backslashes, \u00XX or HTML entities), so patterns are written for
// plain text and single JSON escapes only.
import type { RedactionKind } from '../domain/redaction-report';

export interface Detector {
  kind: RedactionKind;
  /** Global regexp; with the `d` flag when `groups` is set. */
  pattern: RegExp;
  /** Capture groups holding the secret, first defined one wins; otherwise the whole match. */
  groups?: readonly number[];
  /** The secret runs from the group's start to the end of the match. */
  extendToMatchEnd?: boolean;
  /** Extra check on the secret (and the whole match, with its groups) to keep false positives out. */
  accept?: (secret: string, match: string, groups: RegExpExecArray) => boolean;
  /** How many characters of the secret really are one (0: none); for shapes a regexp cannot bound (IBAN). */
  measure?: (secret: string) => number;
}

// Separator between a key and its value: optional closing quote (also JSON-escaped), then = or :.
const KEY_SEP = String.raw`\\?["'\x60]?[ \t]*[:=][ \t]*\\?["'\x60]?`;
// A header as a JSON pair of an array: `["Cookie", "a=b"]` (Sentry's request headers).
const HEADER_SEP = String.raw`(?:${KEY_SEP}|\\?["'][ \t]*,[ \t]*\\?["'])`;

const PLACEHOLDER =
  /^(?:\$|\*+|x{3,}|\.{3}|…|null|nil|none|undefined|empty|true|false|redacted|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{[^}]*\}\}|%[A-Za-z_]+%|<[^>]*>)$/i;
// Words that say what happened to a credential, not what it is (`auth: failed`, `token: expired`): a value whose
// first word is one of these is not a secret. Also auth scheme names (`auth=basic`) and doc words (`--token flag`).
const STATUS_WORD =
  /^(?:ok|okay|fail|failed|failure|success|succeeded|successful|invalid|expired|missing|required|denied|error|errors|revoked|rotated|unset|set|present|absent|enabled|disabled|yes|no|on|off|unknown|n\/a|changed|incorrect|wrong|valid|accepted|rejected|refused|reset|provided|supplied|hidden|masked|omitted|removed|pending|basic|bearer|digest|oauth2?|sso|saml|ldap|jwt|hmac|mtls|iam|flag|option|argument|parameter|value|string)$/i;

const hasDigit = (s: string) => /\d/.test(s);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s);
const digitCount = (s: string) => s.replace(/\D/g, '').length;
const firstWord = (s: string) => s.trim().split(/[\s,;]+/, 1)[0] ?? '';
/** Not a placeholder, not a status word, and not a PEM block (the private_key detector takes those whole). */
const credentialValue = (value: string) => !PLACEHOLDER.test(value) && !STATUS_WORD.test(firstWord(value)) && !value.startsWith('-----BEGIN');

// Token boundaries. A token starts where the previous char is not in `chars`, or right after a literal `\n`, `\r` or
// `\t` escape (log lines and JSON embedded in strings: `"…\nAKIA…"`).
//
// Speed: V8 scans fast for a regexp that starts with a literal, and tries every position for one that starts with a
// lookbehind. So patterns start with their literal part and check the boundary behind it: `bounded(chars, lit)`
// matches `lit` only where a token may start.
const START = (chars: string) => String.raw`(?:^|[^${chars}]|\\[nrt])`;
const bounded = (chars: string, lit: string) => String.raw`(?:${lit})(?<=${START(chars)}(?:${lit}))`;
const re = (source: string, flags: string) => new RegExp(source, flags);

// A value after a key: quoted (to its closing quote, however long, or to the end of the line), or unquoted. Unquoted,
// it is one word, except where the pair is the whole line (env files, YAML, pasted config:
// `DB_PASSWORD=correct horse battery staple`): then its short words run to the end of the line or a `#` comment. A
// line that goes on with a flag, a `key=`, a delimiter or a long token is a command or a log line
// (`PGPASSWORD=x psql -h db`, `password=hunter2 failed`): there the next words are not the secret.
const WORD = String.raw`(?:\$\{[^}\s]{1,100}\}|[^\s"'\x60\\,;&<>(){}])+`;
// A passphrase's next word: short (a long one is a token of its own, found and counted as such).
const NEXT_WORD = String.raw`[ \t]+(?![^\s"'\x60\\]*[:=]|[-#|>]|\$\{\{)[^\s"'\x60\\,;&<>(){}]{1,16}(?![^\s"'\x60\\,;&<>(){}])`;
const WHOLE_LINE_PAIR = String.raw`(?<=(?:^|[\r\n]|\\[nr])[ \t]*(?:export[ \t]+|-[ \t]+)?[A-Za-z0-9_.-]{1,128}[ \t]*[:=][ \t]*)`;
const LINE_END = String.raw`(?=[ \t]*(?:$|[\r\n]|\\[nr]|#))`;
const PAIR_VALUE = String.raw`(?:(\\?)(["'\x60])((?:(?!\1\2)[^\r\n])+)|(${WHOLE_LINE_PAIR}${WORD}(?:${NEXT_WORD})+${LINE_END}|${WORD}))`;
// A command-line argument: quoted or one word.
const ARG = String.raw`(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"\x60]+))`;
// The rest of one command line after the program's name.
const SAME_COMMAND = String.raw`(?![A-Za-z0-9_-])(?:(?!\\[nrt])[^\r\n|;&]){0,300}?[ \t]`;
// RFC 6750 token68, without a trailing dot (the end of a sentence).
const TOKEN68 = String.raw`[A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*`;

const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
};

/** Issuer prefixes by length: Visa, Mastercard (51–55, 2221–2720), Amex, Discover, JCB, Diners, UnionPay. */
function cardIssuer(digits: string): boolean {
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  switch (digits.length) {
    case 14:
      return (p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39;
    case 15:
      return p2 === 34 || p2 === 37;
    case 16:
      return digits[0] === '4' || (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720) || p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p4 >= 3528 && p4 <= 3589) || p2 === 62;
    case 19:
      return digits[0] === '4' || p4 === 6011 || p2 === 65 || p2 === 62 || (p4 >= 3528 && p4 <= 3589);
    default:
      return false;
  }
}

function acceptCard(card: string): boolean {
  const digits = card.replace(/\D/g, '');
  // 19 digits in one run are trace ids far more often than cards: only grouped ones count.
  if (digits.length === 19 && digits === card) return false;
  return cardIssuer(digits) && luhn(digits) && !/^(\d)\1+$/.test(digits);
}

const ssnValid = (ssn: string) => {
  const d = ssn.replace(/\D/g, '');
  return d.length === 9 && !/^(?:000|666|9)/.test(d) && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
};

/** IBAN lengths by country (SWIFT's IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** The IBAN's length within the match (spaces included) when the country's length and the mod-97 check agree. */
function measureIban(candidate: string): number {
  const length = IBAN_LENGTHS[candidate.slice(0, 2)];
  if (!length) return 0;
  let chars = '';
  let end = 0;
  while (end < candidate.length && chars.length < length) {
    const c = candidate[end] as string;
    if (c !== ' ') chars += c;
    end++;
  }
  // Shorter than the country's IBANs, or glued to more letters and digits: not one.
  if (chars.length < length || /[A-Z0-9]/.test(candidate[end] ?? '')) return 0;
  const rearranged = chars.slice(4) + chars.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const value = c >= 'A' ? String(c.charCodeAt(0) - 55) : c;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1 ? end : 0;
}

// What may not stand right before a NANP phone number.
const NANP_BEFORE = String.raw`\w.+\-/`;

// Order matters: earlier detectors are more specific and win overlaps.
export const DETECTORS: readonly Detector[] = [
  {
    // PEM private keys: the whole block, with real newlines or literal `\n` escapes (JSON strings).
    // Without an END line (truncated logs) the base64 body after the header goes.
    kind: 'private_key',
    pattern:
      /-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----BEGIN)[\s\S]){0,20000}?-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----|(?:\\[rn]|[\r\n]|[A-Za-z0-9+/=])*)/g,
  },
  {
    kind: 'gcp_service_account_key',
    pattern: re(String.raw`${bounded('A-Za-z0-9_', 'private_key_id')}${KEY_SEP}([0-9a-fA-F]{40})(?![0-9A-Za-z])`, 'dg'),
    groups: [1],
  },
  {
    kind: 'aws_access_key',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9', 'AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA')}[A-Z0-9]{16}(?![A-Za-z0-9])`,
      'g',
    ),
  },
  {
    kind: 'aws_secret_key',
    pattern: re(
      bounded('A-Za-z0-9', String.raw`(?:aws[_-]?)?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key`) +
        String.raw`${KEY_SEP}([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`,
      'dgi',
    ),
    groups: [1],
  },
  {
    kind: 'gcp_api_key',
    pattern: re(String.raw`${bounded('0-9A-Za-z_-', 'AIza')}[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])`, 'g'),
  },
  {
    // Google OAuth 2.0: access tokens `ya29.…`, refresh tokens `1//0…`.
    kind: 'google_oauth_token',
    pattern: re(String.raw`(?:${bounded('A-Za-z0-9_.-', String.raw`ya29\.`)}|${bounded('A-Za-z0-9_./-', '1//0')})[A-Za-z0-9_-]{20,}`, 'g'),
  },
  {
    kind: 'github_token',
    pattern: re(
      String.raw`(?:${bounded('A-Za-z0-9_', 'gh[pousr]_')}[A-Za-z0-9]{36,255}|${bounded('A-Za-z0-9_', 'github_pat_')}[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])`,
      'g',
    ),
  },
  {
    kind: 'gitlab_token',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'gl(?:pat|dt|rt|ptt|ft|soat|cbt|imt|agent)-')}[A-Za-z0-9_-]{20,255}(?![A-Za-z0-9_-])`,
      'g',
    ),
  },
  {
    // The whole URL: every path segment after the host is part of the credential.
    kind: 'slack_webhook',
    pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{4,}\/[A-Z0-9]{4,}\/[A-Za-z0-9]{8,}/g,
  },
  {
    kind: 'slack_token',
    pattern: re(String.raw`${bounded('A-Za-z0-9', String.raw`xox[abposr]-|xoxe(?:\.xox[bp])?-|xapp-`)}[A-Za-z0-9-]{10,}`, 'g'),
  },
  {
    // Stripe secret and restricted keys (live and test), webhook signing secrets. Publishable keys (pk_) are public.
    kind: 'stripe_key',
    pattern: re(
      String.raw`(?:${bounded('A-Za-z0-9_', '[sr]k_(?:live|test)_')}[A-Za-z0-9]{10,247}|${bounded('A-Za-z0-9_', 'whsec_')}[A-Za-z0-9+/]{16,}={0,2})(?![A-Za-z0-9+/=])`,
      'g',
    ),
  },
  {
    kind: 'anthropic_key',
    pattern: re(String.raw`${bounded('A-Za-z0-9_-', 'sk-ant-')}[A-Za-z0-9_-]{20,}`, 'g'),
  },
  {
    // OpenAI project, service-account and admin keys; legacy keys carry `T3BlbkFJ` (base64 of "OpenAI").
    kind: 'openai_key',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'sk-')}(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9_-])`,
      'g',
    ),
  },
  {
    kind: 'sendgrid_key',
    pattern: re(String.raw`${bounded('A-Za-z0-9_.-', String.raw`SG\.`)}[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])`, 'g'),
  },
  {
    kind: 'npm_token',
    pattern: re(String.raw`${bounded('A-Za-z0-9_', 'npm_')}[A-Za-z0-9]{36}(?![A-Za-z0-9])`, 'g'),
  },
  {
    // Twilio account SID (AC) or API key SID (SK), 32 hex; `AC…:<auth token>` (basic auth) goes as one.
    kind: 'twilio_key',
    pattern: re(String.raw`${bounded('A-Za-z0-9', 'AC|SK')}[0-9a-f]{32}(?::[0-9a-f]{32})?(?![A-Za-z0-9])`, 'g'),
  },
  {
    // `SharedAccessSignature=sv=…&sig=…` in connection strings, or `SharedAccessSignature sr=…&sig=…` tokens.
    kind: 'azure_key',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9', 'SharedAccessSignature')}(?:=|[ \t]+)([^;\s"'<>]*sig=[^;\s"'<>]+)`,
      'dgi',
    ),
    groups: [1],
  },
  {
    kind: 'azure_key',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9', 'AccountKey=|SharedAccessKey=')}([A-Za-z0-9+/]{20,}={0,2})(?![A-Za-z0-9+/=])`,
      'dgi',
    ),
    groups: [1],
  },
  {
    // SAS query parameter: `…?sv=…&sig=<url-encoded base64>`.
    kind: 'azure_key',
    pattern: re(String.raw`sig=(?<=(?:^|[?&;\s"']|\\[nrt])sig=)([A-Za-z0-9%+/=_-]{16,})`, 'dg'),
    groups: [1],
  },
  {
    // Presigned URLs (S3, GCS) and their headers: the signature and the session token are the credential.
    kind: 'url_signature',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'x-amz-signature|x-amz-security-token|x-goog-signature')}${KEY_SEP}([A-Za-z0-9%+/=_-]{16,})`,
      'dgi',
    ),
    groups: [1],
  },
  {
    // CloudFront and S3 (SigV2) signed URLs: `?…&Signature=…`.
    kind: 'url_signature',
    pattern: re(String.raw`Signature=(?<=[?&;]Signature=)([A-Za-z0-9%+/=_~-]{16,})`, 'dg'),
    groups: [1],
  },
  {
    kind: 'jwt',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'eyJ')}[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}(?![A-Za-z0-9_-])`,
      'g',
    ),
  },
  {
    // Cookie and Set-Cookie headers (also `"cookie": "…"`, `["Cookie", "…"]`, `session_cookie=…`): the whole value
    // goes (every cookie in it; Set-Cookie's attributes with it). A bare Cookie header holds `name=value` pairs.
    kind: 'cookie',
    pattern: re(
      String.raw`cookies?(?<=${START('A-Za-z0-9_.-')}([A-Za-z0-9_.-]{0,122})cookies?)${HEADER_SEP}((?:(?!\\[nrt])[^\r\n"'\x60\\])*[^\s"'\x60\\])`,
      'dgi',
    ),
    groups: [2],
    // The Cookie header itself holds name=value pairs; `session_cookie=…` is one value.
    accept: (value, _match, m) => credentialValue(value) && (/=/.test(value) || !/^(?:set-)?$/i.test(m[1] ?? '')) && !/^\d{1,4}$/.test(value),
  },
  {
    // `Authorization: Bearer|Token <token>` in any form (header, JSON, curl -H): whatever the token looks like.
    // Keeps the scheme.
    kind: 'bearer_token',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', '(?:proxy-)?authorization')}${HEADER_SEP}(?:bearer|token|bot|jwt)[ \t]+(${TOKEN68})`,
      'dgi',
    ),
    groups: [1],
    accept: (token) => !PLACEHOLDER.test(token),
  },
  {
    // Keep the word Bearer. Outside an Authorization header, a token must look like one: a digit or mixed case
    // (8+ chars, or 6+ with letters and digits), or 20+ chars of any kind.
    kind: 'bearer_token',
    pattern: re(String.raw`${bounded('A-Za-z0-9', 'bearer')}[ \t]+(${TOKEN68})`, 'dgi'),
    groups: [1],
    accept: (token) =>
      !PLACEHOLDER.test(token) &&
      ((token.length >= 8 && (hasDigit(token) || mixedCase(token))) || (token.length >= 6 && hasDigit(token) && /[A-Za-z]/.test(token)) || token.length >= 20),
  },
  {
    // Other Authorization schemes (AWS4-HMAC-SHA256 Credential=…, Signature=…; a raw key without scheme): the
    // rest of the header value; the scheme word stays. Basic is password_pair's.
    kind: 'bearer_token',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', '(?:proxy-)?authorization')}${HEADER_SEP}(?!(?:basic|bearer|token|bot|jwt)[ \t])(?:([A-Za-z][A-Za-z0-9_-]{0,40})[ \t]+)?((?:(?!\\[nrt])[^\r\n"'\x60\\])*[^\s"'\x60\\,.;])`,
      'dgi',
    ),
    groups: [2],
    accept: (value, _match, m) =>
      credentialValue(value) && !(m[1] !== undefined && STATUS_WORD.test(m[1])) && (hasDigit(value) || mixedCase(value) || /[=+/]/.test(value)),
  },
  {
    // scheme://user:password@host — keep user and host. The password may contain a raw `@`: the last one before
    // the host ends it.
    kind: 'url_password',
    pattern: re(
      String.raw`:\/\/(?<=${START('A-Za-z0-9+.-')}[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/)` +
        String.raw`[^\s:/?#@"'<>]*:([^\s/?#"'<>]+)@(?=[^\s/?#@:"'<>])`,
      'dg',
    ),
    groups: [1],
  },
  {
    // key=value / key: value / "key": "value" pairs; only the value goes. The key may have a prefix
    // (`DB_PASSWORD`, `client_secret`, `x-api-key`). Not in a URL's user part (`https://x-access-token:…@host` is
    // url_password's), not after `:` (`arn:aws:…:secret:name`).
    kind: 'password_pair',
    pattern: re(
      String.raw`(?:passwd|password|passphrase|passcode|pwd|secret(?:[_-]?key)?|access[_-]?key|api[_-]?key|token|credentials?|private[_-]?key)` +
        String.raw`(?<=${START('A-Za-z0-9_.:-')}[A-Za-z0-9_.-]{3,128})(?<!\/\/[^\s/@]{0,256})` +
        String.raw`\\?["'\x60]?[ \t]*[:=][ \t]*${PAIR_VALUE}`,
      'dgi',
    ),
    groups: [3, 4],
    accept: (value, match) => credentialValue(value) && !(/pwd/i.test(match) && value.startsWith('/')),
  },
  {
    // Short key names (`pass=`, `pw=`, `auth=`): alone or after a separator (`DB_PASS`, `basic_auth`, `--pass`),
    // never inside a word (`bypass`, `oauth`). Not a small count (`pass=3 fail=0`).
    kind: 'password_pair',
    pattern: re(
      String.raw`(?:pass|pw|auth)(?<=${START('A-Za-z0-9_.:-')}(?:[A-Za-z0-9_.-]{0,124}[_.-])?(?:pass|pw|auth))(?<!\/\/[^\s/@]{0,256})` +
        String.raw`\\?["'\x60]?[ \t]*[:=][ \t]*${PAIR_VALUE}`,
      'dgi',
    ),
    groups: [3, 4],
    accept: (value) => credentialValue(value) && !/^\d{1,3}$/.test(value),
  },
  {
    // HTTP basic credentials are base64(user:password).
    kind: 'password_pair',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9', 'Authorization')}${HEADER_SEP}[ \t]*Basic[ \t]+([A-Za-z0-9+/]{8,}={0,2})`,
      'dgi',
    ),
    groups: [1],
  },
  {
    // MySQL/MariaDB clients: `-pSECRET` glued to the flag (`-p` alone prompts; `-P` is the port).
    kind: 'password_pair',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'mysql(?:dump|admin|sh|import|check|binlog)?|mariadb(?:-dump|-admin)?')}${SAME_COMMAND}-p${ARG}`,
      'dg',
    ),
    groups: [1, 2, 3],
    accept: (value) => !PLACEHOLDER.test(value),
  },
  {
    // Passwords as the next argument: sshpass -p, redis-cli -a, docker/podman/helm registry login -p.
    kind: 'password_pair',
    pattern: re(
      String.raw`(?:${bounded('A-Za-z0-9_-', 'sshpass')}${SAME_COMMAND}-p[ \t]*|` +
        String.raw`${bounded('A-Za-z0-9_-', 'redis-cli')}${SAME_COMMAND}(?:-a|--pass)[ \t]+|` +
        String.raw`${bounded('A-Za-z0-9_-', String.raw`(?:docker|podman|nerdctl|helm[ \t]+registry)[ \t]+login`)}${SAME_COMMAND}(?:-p|--password)[ \t]+)${ARG}`,
      'dg',
    ),
    groups: [1, 2, 3],
    accept: (value) => !PLACEHOLDER.test(value) && !value.startsWith('-'),
  },
  {
    // `--password VALUE` (with a space; `--password=` is a pair) and the like.
    kind: 'password_pair',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', '--(?:password|passwd|pass|token|api-key|apikey|secret|client-secret|access-token|auth-token)')}[ \t]+(?!-)${ARG}`,
      'dg',
    ),
    groups: [1, 2, 3],
    accept: (value) => credentialValue(value),
  },
  {
    // curl -u user:password (also -uuser:password, --user user:password): the password goes, the user stays.
    kind: 'password_pair',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'curl')}${SAME_COMMAND}(?:-u[ \t]*|--user(?:[ \t]+|=))` +
        String.raw`(?:'[^':\r\n]*:([^'\r\n]+)'|"[^":\r\n]*:([^"\r\n]+)"|[^\s:'"\x60]*:([^\s'"\x60]+))`,
      'dg',
    ),
    groups: [1, 2, 3],
    accept: (value) => !PLACEHOLDER.test(value),
  },
  {
    // Payment card numbers: 14–16 digits (19 when grouped), plain or grouped by spaces or dashes (4-4-4-4, Amex and
    // Diners 4-6-5/4-6-4), with an issuer's prefix and a valid Luhn check digit.
    kind: 'card_number',
    // (The boundary is checked behind the first 4 digits: most digits in logs fail `[2-6]\d{3}` before it is tried.)
    pattern: re(
      String.raw`${bounded(String.raw`0-9A-Za-z_.+/\\-`, String.raw`[2-6]\d{3}`)}(?:([ -]?)\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|([ -]?)\d{6}\2\d{4,5})(?![0-9A-Za-z_]|[-.,:/]\d)`,
      'g',
    ),
    accept: acceptCard,
  },
  {
    // IBAN: country, check digits, then the country's length in letters and digits, grouped by 4 or not.
    kind: 'iban',
    pattern: re(String.raw`${bounded('0-9A-Za-z_', String.raw`[A-Z]{2}\d{2}`)}(?:[ ]?[A-Z0-9]){10,30}`, 'g'),
    measure: measureIban,
  },
  {
    // US SSN written 3-2-4 with dashes (area not 000, 666 or 9xx; group not 00; serial not 0000). Found from its
    // first dash (far rarer than digits); the area is matched behind it.
    kind: 'national_id',
    pattern: re(String.raw`-(?<=(?:^|[^0-9A-Za-z_.+/:\\-]|\\[nrt])([0-8]\d{2})-)\d{2}-\d{4}(?![0-9A-Za-z_]|[-.]\d)`, 'dg'),
    groups: [1],
    extendToMatchEnd: true,
    accept: ssnValid,
  },
  {
    // A US SSN in other spellings (spaces, 9 digits) right after its name.
    kind: 'national_id',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_', String.raw`ssn|social[ _-]?security(?:[ _-]?(?:number|no))?|ss#`)}[^\r\n\d]{0,12}?(\d{3}[- ]?\d{2}[- ]?\d{4})(?!\d)`,
      'dgi',
    ),
    groups: [1],
    accept: ssnValid,
  },
  {
    // A UK National Insurance number right after its name (the shape alone is too common in ids).
    kind: 'national_id',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_', String.raw`national[ _-]?insurance(?:[ _-]?(?:number|no))?|nino|ni[ _-]?(?:number|no)`)}[^\r\n]{0,12}?(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D])(?![A-Za-z0-9])`,
      'dgi',
    ),
    groups: [1],
    accept: (nino) => !/^(?:BG|GB|NK|KN|TN|NT|ZZ)/i.test(nino),
  },
  {
    // Found from its `@`; the local part is matched behind it. Not after `/` (user@host in URLs), not
    // `git@host:org/repo` (scp-style remotes). After a backslash only when that is not a `\n` escape (the escape's
    // letter is not part of the address).
    kind: 'email',
    pattern: re(
      String.raw`@(?<=(?:^|[^A-Za-z0-9._%+\\/-]|\\[nrt]|\\(?![nrt]))([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@)` +
        String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])(?!:[\w.~-]*\/)`,
      'dg',
    ),
    groups: [1],
    extendToMatchEnd: true,
  },
  {
    // International: +CC then 8–15 digits in all, grouped by spaces, dots, dashes or parentheses.
    // Ungrouped (+14155552671) needs 10+ digits so that `+12345678` counters stay.
    kind: 'phone',
    pattern: re(String.raw`${bounded('\\w+', '\\+')}[1-9](?:[ .()-]{0,2}\d){7,14}(?![\w])`, 'g'),
    accept: (phone) => (/[ .()-]/.test(phone) ? true : digitCount(phone) >= 10),
  },
  {
    // NANP: (555) 123-4567, (555) 123 4567, 555-123-4567, 555.123.4567, 1-800-555-1234.
    kind: 'phone',
    // Each alternative starts with its first char and checks the boundary behind it (a lookbehind first is tried
    // at every position).
    pattern: re(
      String.raw`(?:${bounded(NANP_BEFORE, '1')}[-. ](?:\([2-9]\d{2}\)[ ]?\d{3}[-. ]\d{4}|[2-9]\d{2}([-.])\d{3}\1\d{4})` +
        String.raw`|${bounded(NANP_BEFORE, String.raw`\(`)}[2-9]\d{2}\)[ ]?\d{3}[-. ]\d{4}` +
        String.raw`|${bounded(NANP_BEFORE, '[2-9]')}\d{2}([-.])\d{3}\2\d{4})(?![\w-]|\.\d)`,
      'g',
    ),
  },
];

// Secrets whose value may contain a more specific secret (`token=<github token>`, `Bearer <jwt>`): when such a
// match covers the specific one entirely, the whole value goes, counted once under the specific kind.
export const CONTAINER_KINDS: ReadonlySet<RedactionKind> = new Set<RedactionKind>([
  'aws_secret_key',
  'azure_key',
  'url_signature',
  'cookie',
  'bearer_token',
  'url_password',
  'password_pair',
]);

// Object keys that say their value is a secret (Redactor.deep redacts such a value whole, whatever it looks like).
// Keys are split into words (camelCase, snake_case, kebab-case): the last word, or the last two, decide.
const SECRET_LAST_WORDS: ReadonlyMap<string, RedactionKind> = new Map<string, RedactionKind>([
  ...['password', 'passwords', 'passwd', 'passphrase', 'passcode', 'pwd', 'pw', 'secret', 'secrets', 'token', 'credential', 'credentials', 'apikey', 'auth'].map(
    (word) => [word, 'password_pair'] as const,
  ),
  ['authorization', 'bearer_token'],
  ['cookie', 'cookie'],
  ['cookies', 'cookie'],
  ['signature', 'url_signature'],
]);
const SECRET_LAST_TWO_WORDS = new Set(['api key', 'access key', 'private key', 'secret key', 'signing key', 'encryption key', 'master key', 'account key', 'shared key', 'session key', 'auth key', 'key id']);
const keyKinds = new Map<string, RedactionKind | null>();

/** The kind a value under this object key is redacted as, or undefined when the key says nothing. */
export function secretKeyKind(key: string): RedactionKind | undefined {
  let kind = keyKinds.get(key);
  if (kind === undefined) {
    const words = key
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((word) => word.length > 0);
    const last = words.at(-1) ?? '';
    const lastTwo = words.slice(-2).join(' ');
    // `pass` only as a word of its own after another (`db_pass`), or alone.
    kind = SECRET_LAST_WORDS.get(last) ?? (SECRET_LAST_TWO_WORDS.has(lastTwo) && (lastTwo !== 'key id' || words.at(-3) === 'private') ? 'password_pair' : last === 'pass' ? 'password_pair' : null);
    if (keyKinds.size < 10_000) keyKinds.set(key, kind);
  }
  return kind ?? undefined;
}

/** A value under a secret key that is not a secret: empty, a placeholder, already a marker. */
export const isPlaceholderValue = (value: string) => value.trim().length === 0 || PLACEHOLDER.test(value.trim()) || /^\[REDACTED:[a-z_]+\]$/.test(value);
