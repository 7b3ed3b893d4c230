// The evidence check's front matter rules: the block the follow-up reads the action items from (and the
// report every figure) must parse, and its facts must be the incident's. A missing block is a warning,
// not an error: the follow-up then falls back to the items of Devin's report, and a PR opened before
// front matter existed is not sent back for it.
import type { IncidentContext } from '../domain/evidence';
import { parseFrontMatter } from './front-matter';
import { fact } from './prompt-text';

export interface FrontMatterFinding {
  severity: 'error' | 'warning';
  kind: 'front_matter';
  line: number;
  message: string;
}

/** `actionItemsInSection`: how many items the Action Items section lists (undefined: no such section). */
export function frontMatterFindings(markdown: string, pack: IncidentContext, actionItemsInSection: number | undefined): FrontMatterFinding[] {
  const parsed = parseFrontMatter(markdown);
  const finding = (line: number, message: string, severity: 'error' | 'warning' = 'error'): FrontMatterFinding => ({ severity, kind: 'front_matter', line, message });
  if (!parsed.block) return [finding(1, 'no YAML front matter at the top: the action items will be read from Devin\'s report, not from the file', 'warning')];
  // Unparseable YAML or a missing incident_id loses the whole block; a bad optional field only itself.
  const findings = parsed.problems.map((p) => finding(p.line, p.message, parsed.frontMatter ? 'warning' : 'error'));
  const fm = parsed.frontMatter;
  if (!fm) return findings;
  const at = parsed.block.openingLine;
  const { incident } = pack;
  if (fm.incidentId !== incident.id) findings.push(finding(at, `front matter incident_id is "${fm.incidentId.slice(0, 40)}", this incident is ${incident.id}`));
  const service = incident.service?.name ? fact(incident.service.name) : undefined;
  if (service && fm.service && fm.service.toLowerCase() !== service.toLowerCase()) findings.push(finding(at, `front matter service is "${fm.service.slice(0, 80)}", the incident's is ${service}`));
  if (incident.priority && fm.priority && fm.priority.toLowerCase() !== incident.priority.toLowerCase()) findings.push(finding(at, `front matter priority is "${fm.priority.slice(0, 20)}", the incident's is ${incident.priority}`));
  if (actionItemsInSection !== undefined && actionItemsInSection !== fm.actionItems.length) {
    findings.push(finding(at, `front matter lists ${fm.actionItems.length} action item(s), the Action Items section ${actionItemsInSection}: the issues are made from the front matter`, 'warning'));
  }
  return findings;
}
