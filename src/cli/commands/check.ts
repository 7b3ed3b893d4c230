// `postmortem check <file> (--pack <file> | --incident <id>) [--template <file>] [--root-cause-confirmed]`:
// the evidence check on a local postmortem draft, against an incident's evidence pack — saved as JSON (the
// IncidentContext the workflow holds; no server needed), or read from the incident's workflow through its
// evidence pack query, with the required sections and the root cause's confirmation the workflow's own
// check uses (unless --template / --root-cause-confirmed say otherwise). Prints one
// `file:line: error|warning kind: message` per finding; exit 1 on any error.
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CliConfigError, loadRedactPersonalData } from '../../config/cli';
import type { IncidentContext } from '../../domain/evidence';
import { checkPostmortem, type EvidenceFinding } from '../../postmortem/evidence-check';
import { templateSections } from '../../postmortem/sections';
import type { Context } from '../context';
import { CliFailure, EXIT_FAILURE, EXIT_OK, messageOf, UsageError } from '../errors';
import { queryEvidencePack } from '../status-query';
import { incidentIdArg, nonEmpty } from '../validate';

/** A draft, a pack or a template larger than this is not one (packs are bounded far below it). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

interface CheckOptions {
  pack?: string;
  incident?: string;
  template?: string;
  rootCauseConfirmed?: boolean;
}

function readText(file: string, what: string): string {
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new CliFailure(`${file} is not a regular file: ${what} is read from a file`);
    if (stats.size > MAX_FILE_BYTES) throw new CliFailure(`${file} is ${stats.size} bytes: too large for ${what}`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`cannot read ${what} ${file}: ${messageOf(error)}`);
  }
}

/** Enough of an IncidentContext to check against; anything else is refused before checking. */
function asPack(pack: unknown, what: string): IncidentContext {
  const p = pack as Partial<IncidentContext> | null;
  const lists = ['timeline', 'alerts', 'notes', 'changeEvents'] as const;
  if (typeof p !== 'object' || p === null || typeof p.incident?.id !== 'string' || lists.some((key) => !Array.isArray(p[key]))) {
    throw new CliFailure(`${what} is not an evidence pack: it needs incident.id and the timeline, alerts, notes and changeEvents lists`);
  }
  return { omitted: {}, ...p } as IncidentContext;
}

function readPack(file: string): IncidentContext {
  let pack: unknown;
  try {
    pack = JSON.parse(readText(file, 'the evidence pack'));
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`${file} is not JSON: the evidence pack is the incident's IncidentContext as JSON`);
  }
  return asPack(pack, file);
}

interface Evidence {
  pack: IncidentContext;
  /** The workflow's (--incident); undefined: the default sections, or the template's. */
  requiredSections?: string[];
  rootCauseConfirmed: boolean;
  /** Whether POSTMORTEM_TEMPLATE counts: with --pack; with --incident the workflow says which sections it asks for. */
  templateFromEnv: boolean;
}

type Source = { pack: string } | { incident: string };

/** Where the pack comes from: exactly one of --pack and --incident (a usage error otherwise). */
function sourceOf(options: CheckOptions): Source {
  const pack = nonEmpty(options.pack, 'pack');
  const incident = options.incident === undefined ? undefined : incidentIdArg(options.incident);
  if (pack !== undefined && incident !== undefined) throw new UsageError("--pack and --incident cannot be used together: the pack is read from a file or from the incident's workflow");
  if (incident !== undefined) return { incident };
  if (pack === undefined) throw new UsageError('check needs --pack <file> or --incident <id>: the evidence pack to hold the draft to');
  return { pack };
}

/** The pack, from its file or from the incident's workflow (its evidence pack query). */
async function evidence(ctx: Context, source: Source): Promise<Evidence> {
  if ('pack' in source) return { pack: readPack(source.pack), rootCauseConfirmed: false, templateFromEnv: true };
  const { incident } = source;
  const answer = await queryEvidencePack(ctx, incident);
  if (!answer.pack) throw new CliFailure(`the incident's evidence is not collected yet (incident ${incident}): try again once its workflow has collected it (\`postmortem status ${incident}\`)`);
  return { pack: asPack(answer.pack, `the evidence pack of incident ${incident}`), requiredSections: answer.requiredSections, rootCauseConfirmed: answer.rootCauseConfirmed === true, templateFromEnv: false };
}

export function formatFinding(file: string, finding: EvidenceFinding): string {
  return `${file}:${finding.line}: ${finding.severity} ${finding.kind}: ${finding.message}`;
}

export function registerCheck(program: Command, ctx: Context): void {
  program
    .command('check')
    .argument('<file>')
    .option('--pack <file>')
    .option('--incident <id>')
    .option('--template <file>')
    .option('--root-cause-confirmed')
    .action(
      ctx.run(async (file: string, options: CheckOptions) => {
        const source = sourceOf(options);
        const templateOption = nonEmpty(options.template, 'template');
        const draft = readText(file, 'the postmortem');
        const { pack, rootCauseConfirmed, templateFromEnv, ...fromWorkflow } = await evidence(ctx, source);
        // The template named, else (--pack) the worker's POSTMORTEM_TEMPLATE or (--incident) the workflow's
        // sections: the check asks for what the prompt asked for.
        const templateFile = templateOption ?? (templateFromEnv ? ctx.env.POSTMORTEM_TEMPLATE?.trim() || undefined : undefined);
        const requiredSections = templateFile ? templateSections(readText(templateFile, 'the template')) : fromWorkflow.requiredSections;
        let personalData: boolean;
        try {
          personalData = loadRedactPersonalData(ctx.env);
        } catch (error) {
          if (error instanceof CliConfigError) throw new CliFailure(error.message);
          throw error;
        }
        const findings = checkPostmortem({ markdown: draft, pack, requiredSections, personalData, report: { rootCauseConfirmed: options.rootCauseConfirmed === true || rootCauseConfirmed } });
        for (const finding of findings) ctx.out(formatFinding(file, finding));
        const errors = findings.filter((f) => f.severity === 'error').length;
        ctx.err(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}`);
        return errors > 0 ? EXIT_FAILURE : EXIT_OK;
      }),
    );
}
