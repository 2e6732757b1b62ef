// `account_id_column`: many accounts in one warehouse. Every record carries the id of the key's account (read
// once per run from GET /api/accounts), and `account_id` leads every stream's key, so rows never collide.
import { ENDPOINTS } from '../../generated/endpoints.js';
import { FatalApiError } from '../shared/errors.js';
import type { KlaviyoClient } from '../http/http.js';
import type { JsonSchema } from '../singer/messages.js';
import { budgetOf } from '../http/endpoint-facts.js';
import { ACCOUNT_ID, ACCOUNTS_PATH as PATH } from '../engine/stream-types.js';

const ACCOUNT_ID_SCHEMA: JsonSchema = { type: 'string', description: 'The Klaviyo account the record was read from (account_id_column)' };

/** The stream schema with `account_id`, a required string, first. */
export function withAccountId(schema: JsonSchema): JsonSchema {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = (schema['required'] ?? []) as string[];
  return { ...schema, required: [ACCOUNT_ID, ...required], properties: { [ACCOUNT_ID]: ACCOUNT_ID_SCHEMA, ...properties } };
}

/** The id of the account the API key belongs to (Klaviyo lists exactly one). */
export async function fetchAccountId(client: KlaviyoClient): Promise<string> {
  const facts = ENDPOINTS[PATH];
  if (!facts) throw new Error(`the spec has no ${PATH}`);
  const document = await client.get(PATH, budgetOf(facts));
  const [account] = Array.isArray(document.data) ? document.data : document.data ? [document.data] : [];
  if (!account?.id) throw new FatalApiError(`GET ${PATH} listed no account, so account_id_column has no value; check the key`, { status: 200, endpoint: PATH });
  return account.id;
}
