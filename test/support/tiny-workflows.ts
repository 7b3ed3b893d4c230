// The smallest workflows: for tests of what bundling prints (`tiny`), and stand-ins of the incident
// workflow for the CLI's queries — one that answers the evidence pack query with what it was given, and
// one from a build before that query (no handler). Both wait until they are terminated.
import { condition, setHandler } from '@temporalio/workflow';
import { type EvidencePackAnswer, evidencePackQuery } from '../../src/domain/messages';

export async function tiny(): Promise<string> {
  return 'ok';
}

export async function evidencePackHolder(answer: EvidencePackAnswer): Promise<void> {
  setHandler(evidencePackQuery, () => answer);
  await condition(() => false);
}

export async function beforeEvidencePackQuery(): Promise<void> {
  await condition(() => false);
}
