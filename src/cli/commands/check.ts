// `postmortem check <file> --pack <file> [--template <file>] [--root-cause-confirmed]`: the evidence
// check on a local postmortem draft, against an incident's evidence pack saved as JSON (the
// IncidentContext the workflow holds). Prints one `file:line: error|warning kind: message` per finding;
// exit 1 on any error. No server is needed. `--incident <id>` (the pack read from the incident's
// workflow) waits for a query that returns the pack: the status query carries only its source.
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CliConfigError, loadRedactPersonalData } from '../../config/cli';
import type { IncidentContext } from '../../domain/evidence';
import { checkPostmortem, type EvidenceFinding } from '../../postmortem/evidence-check';
import { templateSections } from '../../postmortem/sections';
import type { Context } from '../context';
import { CliFailure, EXIT_FAILURE, EXIT_OK, messageOf } from '../errors';
import { nonEmpty } from '../validate';

/** A draft, a pack or a template larger than this is not one (packs are bounded far below it). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

interface CheckOptions {
  pack: string;
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
function readPack(file: string): IncidentContext {
  let pack: unknown;
  try {
    pack = JSON.parse(readText(file, 'the evidence pack'));
  } catch (error) {
    if (error instanceof CliFailure) throw error;
    throw new CliFailure(`${file} is not JSON: the evidence pack is the incident's IncidentContext as JSON`);
  }
  const p = pack as Partial<IncidentContext> | null;
  const lists = ['timeline', 'alerts', 'notes', 'changeEvents'] as const;
  if (typeof p !== 'object' || p === null || typeof p.incident?.id !== 'string' || lists.some((key) => !Array.isArray(p[key]))) {
    throw new CliFailure(`${file} is not an evidence pack: it needs incident.id and the timeline, alerts, notes and changeEvents lists`);
  }
  return { omitted: {}, ...p } as IncidentContext;
}

export function formatFinding(file: string, finding: EvidenceFinding): string {
  return `${file}:${finding.line}: ${finding.severity} ${finding.kind}: ${finding.message}`;
}

export function registerCheck(program: Command, ctx: Context): void {
  program
    .command('check')
    .argument('<file>')
    .requiredOption('--pack <file>')
    .option('--template <file>')
    .option('--root-cause-confirmed')
    .action(
      ctx.run(async (file: string, options: CheckOptions) => {
        const draft = readText(file, 'the postmortem');
        const pack = readPack(nonEmpty(options.pack, 'pack') ?? options.pack);
        // The worker's POSTMORTEM_TEMPLATE, unless a template is named: the check asks for what the prompt asked for.
        const templateFile = nonEmpty(options.template, 'template') ?? (ctx.env.POSTMORTEM_TEMPLATE?.trim() || undefined);
        const requiredSections = templateFile ? templateSections(readText(templateFile, 'the template')) : undefined;
        let personalData: boolean;
        try {
          personalData = loadRedactPersonalData(ctx.env);
        } catch (error) {
          if (error instanceof CliConfigError) throw new CliFailure(error.message);
          throw error;
        }
        const findings = checkPostmortem({ markdown: draft, pack, requiredSections, personalData, report: { rootCauseConfirmed: options.rootCauseConfirmed === true } });
        for (const finding of findings) ctx.out(formatFinding(file, finding));
        const errors = findings.filter((f) => f.severity === 'error').length;
        ctx.err(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}`);
        return errors > 0 ? EXIT_FAILURE : EXIT_OK;
      }),
    );
}
