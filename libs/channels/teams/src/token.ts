import { classifyHttpAnswer, isRecord, parseJson } from '@switchboard/channel-common';
import type { ProviderRequest, ProviderResponse, SendOutcome } from '@switchboard/contracts';
import { botFrameworkScope, type TeamsConfig } from './config.js';

/**
 * The bot's outbound token: OAuth 2.0 client credentials against Microsoft Entra ID, relative to
 * `teamsLoginBaseUrl`. The connector sends this, caches the token until shortly before `expires_in`,
 * and passes it to render as `accessToken`.
 */
export function renderTeamsTokenRequest(config: TeamsConfig): ProviderRequest {
  const tenant = config.tenantId ?? 'botframework.com';
  return {
    method: 'POST',
    path: `/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
    headers: {},
    body: {
      kind: 'form',
      value: {
        grant_type: 'client_credentials',
        client_id: config.appId,
        client_secret: config.appPassword,
        scope: botFrameworkScope,
      },
    },
  };
}

export type TeamsTokenOutcome =
  | { kind: 'token'; accessToken: string; expiresInSeconds: number }
  | Exclude<SendOutcome, { kind: 'sent' }>;

/** `{ access_token, expires_in }`, or Entra's `{ error, error_description }` classified like a send. */
export function interpretTeamsTokenAnswer(response: ProviderResponse): TeamsTokenOutcome {
  const body = parseJson(response.body);
  if (
    response.status >= 200 &&
    response.status < 300 &&
    isRecord(body) &&
    typeof body.access_token === 'string'
  ) {
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
    return {
      kind: 'token',
      accessToken: body.access_token,
      expiresInSeconds: Number.isFinite(expiresIn) ? expiresIn : 3600,
    };
  }
  const description =
    isRecord(body) && typeof body.error_description === 'string' ? body.error_description : undefined;
  const code = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
  const reason = description ?? code ?? `token request answered HTTP ${response.status} without a token`;
  const outcome = classifyHttpAnswer(response, { errorReason: reason });
  // A 2xx without a token is as useless as a refusal.
  return outcome.kind === 'sent' ? { kind: 'failed', reason } : outcome;
}
