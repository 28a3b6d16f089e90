/** What an API key may do. Routes name the scopes they accept with `@AllowApiKey(...)`. */
export const API_KEY_SCOPES = [
  'users:read',
  'users:write',
  'calls:read',
  'calls:write',
  'agents:read',
  'agents:write',
  'knowledge:read',
  'knowledge:write',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
