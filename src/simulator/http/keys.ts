// API keys and their scopes. The default key has every scope; restricted keys are added at run time.
import { ApiError } from './api-error.js';

const ALL_SCOPES = '*';

export class KeyRing {
  private readonly scopesByKey = new Map<string, Set<string>>();

  constructor(defaultKey: string) {
    this.scopesByKey.set(defaultKey, new Set([ALL_SCOPES]));
  }

  add(key: string, scopes: readonly string[]): void {
    this.scopesByKey.set(key, new Set(scopes));
  }

  /** The key's scopes; 401 when the header is missing, malformed or names an unknown key. */
  authenticate(header: string | undefined): Set<string> {
    if (header === undefined || header.trim() === '') {
      throw new ApiError(401, 'not_authenticated', 'Authentication credentials were not provided.', 'Missing Authorization header: send `Authorization: Klaviyo-API-Key <private key>`.');
    }
    const match = /^Klaviyo-API-Key\s+(\S+)$/.exec(header.trim());
    const scopes = match?.[1] === undefined ? undefined : this.scopesByKey.get(match[1]);
    if (!scopes) throw new ApiError(401, 'authentication_failed', 'Incorrect authentication credentials.', 'Invalid API key or Authorization header format.');
    return scopes;
  }

  /** 403 unless the scopes cover every needed scope. */
  static authorize(scopes: ReadonlySet<string>, needed: readonly string[]): void {
    if (scopes.has(ALL_SCOPES)) return;
    const missing = needed.filter((scope) => !scopes.has(scope));
    if (missing.length > 0) {
      throw new ApiError(403, 'permission_denied', 'You do not have permission to perform this action.', `This API key is missing required scopes: ${missing.join(', ')}.`);
    }
  }
}
