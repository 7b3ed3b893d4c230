// What the redaction engine (./redaction.ts) looks for: one detector per kind of secret or personal data,
// most specific first. Each is a regexp written to start with its literal part (see `bounded`), so V8
// can scan for the literal instead of trying every position.
import type { RedactionKind } from '../domain/redaction-report';

export interface Detector {
  kind: RedactionKind;
  /** Global regexp; with the `d` flag when `groups` is set. */
  pattern: RegExp;
  /** Capture groups holding the secret, first defined one wins; otherwise the whole match. */
  groups?: readonly number[];
  /** The secret runs from the group's start to the end of the match. */
  extendToMatchEnd?: boolean;
  /** Extra check on the secret (and the whole match) to keep false positives out. */
  accept?: (secret: string, match: string) => boolean;
}

// Separator between a key and its value: optional closing quote (also JSON-escaped), then = or :.
const KEY_SEP = String.raw`\\?["'\x60]?[ \t]*[:=][ \t]*\\?["'\x60]?`;

const PLACEHOLDER =
  /^(?:\$|\*+|x{3,}|\.{3}|…|null|nil|none|undefined|empty|true|false|redacted|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{[^}]*\}\}|%[A-Za-z_]+%|<[^>]*>)$/i;

const hasDigit = (s: string) => /\d/.test(s);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s);
const digitCount = (s: string) => s.replace(/\D/g, '').length;

// Token boundaries. A token starts where the previous char is not in `chars`, or right after a literal `\n`, `\r` or
// `\t` escape (log lines and JSON embedded in strings: `"…\nAKIA…"`).
//
// Speed: V8 scans fast for a regexp that starts with a literal, and tries every position for one that starts with a
// lookbehind. So patterns start with their literal part and check the boundary behind it: `bounded(chars, lit)`
// matches `lit` only where a token may start.
const START = (chars: string) => String.raw`(?:^|[^${chars}]|\\[nrt])`;
const bounded = (chars: string, lit: string) => String.raw`(?:${lit})(?<=${START(chars)}(?:${lit}))`;
const after = (chars: string) => String.raw`(?:(?<![${chars}])|(?<=\\[nrt]))`;
const re = (source: string, flags: string) => new RegExp(source, flags);

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
    kind: 'jwt',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9_-', 'eyJ')}[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}(?![A-Za-z0-9_-])`,
      'g',
    ),
  },
  {
    // Keep the word Bearer; opaque tokens of 16+ chars that look random (a digit, or mixed case).
    kind: 'bearer_token',
    pattern: re(String.raw`${bounded('A-Za-z0-9', 'bearer')}[ \t]+([A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*)`, 'dgi'),
    groups: [1],
    accept: (token) => token.length >= 16 && (hasDigit(token) || mixedCase(token)),
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
      String.raw`(?:passwd|password|passphrase|pwd|secret(?:[_-]?key)?|access[_-]?key|api[_-]?key|token)` +
        String.raw`(?<=${START('A-Za-z0-9_.:-')}[A-Za-z0-9_.-]{3,128})(?<!\/\/[^\s/@]{0,256})` +
        String.raw`\\?["'\x60]?[ \t]*[:=][ \t]*` +
        String.raw`(?:(\\?)(["'\x60])((?:(?!\1\2)[^\r\n]){1,256})|((?:\$\{[^}\s]{1,100}\}|[^\s"'\x60\\,;&<>(){}])+))`,
      'dgi',
    ),
    groups: [3, 4],
    accept: (value, match) => !PLACEHOLDER.test(value) && !(/pwd/i.test(match) && value.startsWith('/')),
  },
  {
    // HTTP basic credentials are base64(user:password).
    kind: 'password_pair',
    pattern: re(
      String.raw`${bounded('A-Za-z0-9', 'Authorization')}\\?["']?[ \t]*[:=][ \t]*\\?["']?Basic[ \t]+([A-Za-z0-9+/]{8,}={0,2})`,
      'dgi',
    ),
    groups: [1],
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
    pattern: re(
      String.raw`${after('\\w.+\\-/')}(?:1[-. ])?(?:\([2-9]\d{2}\)[ ]?\d{3}[-. ]\d{4}|[2-9]\d{2}([-.])\d{3}\1\d{4})(?![\w-]|\.\d)`,
      'g',
    ),
  },
];

// Secrets whose value may contain a more specific secret (`token=<github token>`, `Bearer <jwt>`): when such a
// match covers the specific one entirely, the whole value goes, counted once under the specific kind.
export const CONTAINER_KINDS: ReadonlySet<RedactionKind> = new Set<RedactionKind>([
  'aws_secret_key',
  'azure_key',
  'bearer_token',
  'url_password',
  'password_pair',
]);
