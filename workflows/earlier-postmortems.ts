// Repeat incidents (POSTMORTEM_REPO): before Devin drafts, the service's earlier postmortems and their
// action items still open go into the evidence pack; one with open items marks this incident a repeat.
import { isCancellation, metricMeter, patched } from '@temporalio/workflow';
import type { IncidentContext } from '../src/domain/evidence';
import { repeatOf } from '../src/domain/follow-up';
import type { PostmortemSettings } from '../src/domain/settings';
import { evidence } from './activity-proxies';
import type { IncidentState } from './incident-state';
import { failureMessage } from './operator';
import type { Visibility } from './visibility';

export async function withEarlierPostmortems(state: IncidentState, visibility: Visibility, settings: PostmortemSettings, context: IncidentContext): Promise<IncidentContext> {
  const { status } = state;
  // Settings recorded before this step existed have neither field: no patch marker, nothing new.
  if (settings.earlierPostmortemsSkipped) {
    if (patched('repeat-incidents')) status.earlierPostmortems = settings.earlierPostmortemsSkipped;
    return context;
  }
  const repository = settings.postmortemRepository;
  if (!repository || !patched('repeat-incidents')) return context;
  const service = state.incident.service?.name;
  if (!service) {
    status.earlierPostmortems = 'not looked up: the incident names no service';
    return context;
  }
  try {
    const found = await evidence.findEarlierPostmortems.executeWithOptions({ summary: `Find earlier postmortems of ${service.slice(0, 60)}` }, [
      { incidentId: state.incidentId, service, repository, ...(settings.followUp?.repository ? { trackerRepository: settings.followUp.repository } : {}) },
    ]);
    const open = found.earlier.reduce((n, e) => n + e.openItems.length, 0);
    status.earlierPostmortems =
      `${found.earlier.length} earlier postmortem(s) of ${service} in ${repository}${found.earlier.length > 0 ? `, ${open} open action item(s)` : ''}` +
      (found.problems.length > 0 ? `; unreadable: ${found.problems.slice(0, 3).join('; ')}` : '');
    const repeat = repeatOf(found.earlier);
    if (repeat) {
      status.repeatOf = repeat;
      metricMeter.createCounter('postmortem_repeat_incidents', 'incidents', 'Incidents on a service whose earlier postmortem still has open action items').add(1);
    }
    visibility.publish();
    return found.earlier.length > 0 ? { ...context, earlierPostmortems: found.earlier } : context;
  } catch (error) {
    if (isCancellation(error)) throw error;
    // Drafted without them rather than not at all.
    status.earlierPostmortems = `looking up earlier postmortems failed, drafted without them: ${failureMessage(error)}`;
    visibility.publish();
    return context;
  }
}
