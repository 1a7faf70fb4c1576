// An endpoint written as given, inside the caller's transaction (the bench and trusted seeds):
// no URL check and no audit, which the HTTP route does for people.
import { v7 as uuidv7 } from 'uuid';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Tx } from '../../platform/db/index.js';
import { sealSecret } from './secrets.js';
import { newSecret, secretHint } from './signing.js';
import { webhookTables } from './tables.js';

export async function seedEndpoint(
  trx: Tx,
  vault: PersonalDataVault,
  endpoint: { organizationId: string; url: string; eventTypes: string[]; description?: string },
): Promise<{ id: string; secret: string }> {
  const id = uuidv7();
  const secret = newSecret();
  await webhookTables(trx)
    .insertInto('webhook_endpoints')
    .values({
      id,
      organization_id: endpoint.organizationId,
      url: endpoint.url,
      description: endpoint.description ?? null,
      event_types: endpoint.eventTypes,
      rate_limit_per_second: null,
      secret_sealed: await sealSecret(trx, vault, id, secret),
      secret_hint: secretHint(secret),
      previous_secret_sealed: null,
      previous_secret_expires_at: null,
      disabled_reason: null,
      disabled_at: null,
      failing_since: null,
      deleted_at: null,
    })
    .execute();
  return { id, secret };
}
