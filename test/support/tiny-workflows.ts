// The smallest workflows: for tests of what bundling prints (`tiny`), and stand-ins of the incident
// workflow for the CLI's queries — one that answers the evidence pack query with what it was given, one
// from a build before that query (no handler), one answering the status query with a given status. All
// wait until they are terminated.
import { condition, setHandler } from '@temporalio/workflow';
import { type EvidencePackAnswer, evidencePackQuery, statusQuery } from '../../src/domain/messages';
import type { PostmortemStatus } from '../../src/domain/status';

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

export async function statusHolder(status: PostmortemStatus): Promise<void> {
  setHandler(statusQuery, () => status);
  await condition(() => false);
}
