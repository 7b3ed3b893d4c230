// "Build 2" of the upgrade test: the incident workflow with a changed command, the way a real change must
// ship (behind patched()). Bundled as a workflow interceptor module into build 2's workflow bundle only:
// when an incident's resolution arrives, it records that build 2 handled it (a memo upsert: a new command).
// An incident acknowledged on build 1 reaches this code for the first time on build 2, in the middle of its
// history: the case patched() exists for.
import { patched, upsertMemo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const UPGRADE_PATCH = 'upgrade-test-build-2';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async handleSignal(input, next) {
        const event = input.args[0] as { type?: unknown } | undefined;
        if (input.signalName === 'incidentEvent' && event?.type === 'incident.resolved' && patched(UPGRADE_PATCH)) upsertMemo({ resolvedOnBuild2: true });
        return next(input);
      },
    },
  ],
});
