// At startup, with DEVIN_API_KEY set: `GET /v3/self` says whose key it is and for which organization, so
// a wrong key or org id stops the worker now, with the variable named, instead of at the first resolved
// incident. Devin being unreachable is only a warning: the worker must still start (incidents wait).
import type { Logger } from '../config/logger';
import type { WorkerConfig } from '../config';
import { DevinClient } from '../integrations/devin/client';
import { ExternalServiceError } from '../integrations/http';

export class DevinCredentialsError extends Error {
  override name = 'DevinCredentialsError';
}

export async function checkDevinCredentials(config: WorkerConfig, logger: Logger): Promise<void> {
  if (!config.devin) return;
  const { orgId } = config.devin;
  try {
    const self = await new DevinClient(config.devin, config.httpTimeoutMs).self();
    if (self.org_id && self.org_id !== orgId) {
      throw new DevinCredentialsError(`DEVIN_ORG_ID is ${orgId}, but DEVIN_API_KEY belongs to organization ${self.org_id}: set DEVIN_ORG_ID=${self.org_id} (Settings > Service users), or use that organization's key`);
    }
    logger.info({ principal: self.principal_type, serviceUser: self.service_user_name ?? self.service_user_id, org: self.org_id ?? `${orgId} (key not scoped to one organization)` }, 'Devin credentials checked');
  } catch (error) {
    if (error instanceof DevinCredentialsError) throw error;
    if (error instanceof ExternalServiceError && (error.status === 401 || error.status === 403)) {
      throw new DevinCredentialsError(`DEVIN_API_KEY was refused by Devin (${error.message}): set a valid service user key (cog_…) with ViewOrgSessions and ManageOrgSessions`);
    }
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not check the Devin credentials (GET /v3/self); starting anyway: incidents wait for Devin');
  }
}
