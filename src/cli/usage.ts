// The usage text: printed by --help (stdout) and after every usage error (stderr).
import { DEFAULT_TASK_QUEUE } from '../config/cli';
import { PHASES } from '../domain/status';
import { DEFAULT_BACKFILL_RATE } from './commands/backfill';
import { DEFAULT_EXPORT_LIMIT, DEFAULT_EXPORT_SINCE } from './commands/histories';
import { DEFAULT_LIST_LIMIT } from './commands/list';
import { DEFAULT_REPORT_SINCE } from './commands/report';

export const USAGE = `Usage: postmortem <command> [options]

Commands:
  status <incident> [--json]             the incident's postmortem status: phase, links, last error, and
                                         the PR's review (evidence check, fix rounds, reviewers, merge)
  list [--phase P] [--service S] [--priority P1] [--limit N] [--json]
                                         incident workflows, newest first (default limit ${DEFAULT_LIST_LIMIT});
                                         e.g. --phase in_review: PRs waiting for review and merge
  followups <incident> [--resync | --stop [--reason text]] [--json]
                                         the postmortem's action items as the workflow follows them: state
                                         (open, overdue, closed), issue, owner, due date, reminders sent;
                                         --resync reads every issue now, --stop ends the follow-up (both
                                         only in following_up)
  retry <incident> [--reason text]       in needs_attention: try the failed step again
  skip <incident> [--reason text]        in needs_attention: give up the failed step
  cancel <incident> [--reason text]      end the incident's workflow now, in any phase (ends skipped)
  replay-webhook <file> [--webhook-id ID] [--json]
                                         deliver a saved PagerDuty v3 webhook body the way the bridge does
                                         (no signature check: the file is the operator's)
  backfill --since 7d [--until now] [--rate N] [--dry-run] [--json]
                                         start postmortems for PagerDuty incidents resolved in the window
                                         that have no workflow yet, at most N per minute (default ${DEFAULT_BACKFILL_RATE});
                                         times are durations before now (30m, 12h, 7d), ISO dates or "now"
  histories export --out DIR [--since ${DEFAULT_EXPORT_SINCE} | --query Q] [--limit N] [--force] [--json]
                                         save incident workflow histories (running and closed, started in the
                                         last ${DEFAULT_EXPORT_SINCE} or matching the visibility query Q; newest first, default
                                         limit ${DEFAULT_EXPORT_LIMIT}) to DIR, one JSON file per run; payloads as stored, never
                                         decrypted; an existing file is kept unless --force
  histories replay <dir> [--bundle FILE] [--json]
                                         replay every history in <dir> against this build's workflow code
                                         (WORKFLOW_BUNDLE_PATH or FILE if given); exit 1 if any fails
  check <file> (--pack <file> | --incident <id>) [--template <file>] [--root-cause-confirmed]
                                         the evidence check on a postmortem draft: its sections, header table,
                                         sources and links held to the incident's evidence pack (a JSON file,
                                         or with --incident the one its workflow holds, with the workflow's
                                         sections and root-cause confirmation), no secret or personal data;
                                         one file:line finding a line; exit 1 on errors
  report [--since ${DEFAULT_REPORT_SINCE}] [--until now] [--service S] [--json | --markdown]
                                         the team's figures for the window: incidents, postmortems drafted,
                                         merged, in review, skipped (by reason), resolution to PR and to merge
                                         (median, p90), evidence check passed at the first try, action items
                                         created/closed/overdue, repeat incidents, Devin ACUs; from the merged
                                         postmortems' front matter in POSTMORTEM_REPO, their PagerDuty notes,
                                         the tracker, and the workflows Temporal still lists
  simulate                               the same as \`npm run simulate\`

<incident> is a PagerDuty incident id (Q1ABCDEF234567) or its workflow id (incident-Q1ABCDEF234567).
Phases: ${PHASES.join(', ')}.

Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_*, TEMPORAL_PROFILE; TEMPORAL_TASK_QUEUE (default ${DEFAULT_TASK_QUEUE}). backfill also reads
the worker's PAGERDUTY_API_TOKEN, PAGERDUTY_API_BASE_URL, POSTMORTEM_MIN_PRIORITY and POSTMORTEM_NO_PRIORITY;
report reads GITHUB_TOKEN, GITHUB_API_BASE_URL, POSTMORTEM_REPO, ACTION_ITEMS_REPO and the PagerDuty
variables; check reads REDACT_PERSONAL_DATA, and with --pack POSTMORTEM_TEMPLATE and needs no server;
histories replay needs no server, only PAYLOAD_ENCRYPTION_KEYS when the payloads are encrypted.

Exit codes: 0 ok, 1 operational failure, 2 usage error.
`;
