import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import {
  type FakeAnswer,
  type HttpFake,
  type RecordedRequest,
  retryAfterHeader,
  type ScriptedFailure,
  startHttpFake,
} from './http-fake.js';

/**
 * A fake Bot Framework for Teams on one loopback port, playing three Microsoft services:
 * - the Bot Connector: `POST /v3/conversations/{id}/activities` with `Authorization: Bearer <token>`,
 *   answering 201 `{ id }`, 401 `{ message: "Authorization has been denied for this request." }`, or
 *   `{ error: { code, message } }`;
 * - Entra ID's token endpoint: `POST /{tenant}/oauth2/v2.0/token` (form, client credentials);
 * - the OpenID metadata and its keys (`/v1/.well-known/openidconfiguration`, `/v1/.well-known/keys`).
 * It signs inbound activities as the Bot Connector does: an RS256 JWT from its own key, with `iss`
 * https://api.botframework.com, `aud` the app id and the activity's `serviceUrl` as a claim.
 */

export interface TeamsFakeOptions {
  appId?: string;
  appPassword?: string;
  tenant?: string;
}

export interface TeamsJwk {
  kty: string;
  kid: string;
  n: string;
  e: string;
  use: string;
  endorsements: string[];
}

export interface TeamsActivityRecord {
  conversationId: string;
  activity: Record<string, unknown>;
  id: string;
}

export interface TeamsFake extends HttpFake {
  appId: string;
  appPassword: string;
  /** The keys the fake signs with (endorsed for `msteams`), as the OpenID keys document lists them. */
  jwks: { keys: TeamsJwk[] };
  /** Tokens the token endpoint issued; the connector endpoint accepts only these. */
  issuedTokens: string[];
  /** Activities the connector endpoint accepted, in order. */
  activities: TeamsActivityRecord[];
  /** A bearer token the fake would send a bot, with claims overridden as given (tests of bad tokens). */
  signToken(claims: Record<string, unknown>, options?: { kid?: string; key?: KeyObject }): string;
  /** An activity as the Bot Connector would post it (serviceUrl and channelId filled in), signed. */
  signedWebhook(activity: Record<string, unknown>): { headers: Record<string, string>; body: string };
  /** A personal-chat text message from a person. */
  textActivity(options: { fromId: string; conversationId: string; text: string }): Record<string, unknown>;
}

const botFrameworkIssuerForFake = 'https://api.botframework.com';

export async function startTeamsFake(options: TeamsFakeOptions = {}): Promise<TeamsFake> {
  const appId = options.appId ?? `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
  const appPassword = options.appPassword ?? `secret~${randomBytes(12).toString('base64url')}`;
  const tenant = options.tenant ?? 'botframework.com';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const publicJwk = publicKey.export({ format: 'jwk' });
  const jwks = {
    keys: [
      {
        kty: 'RSA',
        use: 'sig',
        kid,
        n: String(publicJwk.n),
        e: String(publicJwk.e),
        endorsements: ['msteams'],
      },
    ],
  };
  const issuedTokens: string[] = [];
  const activities: TeamsActivityRecord[] = [];
  let nextActivity = 1;
  let baseUrl = '';

  const fake = await startHttpFake((request, takeFailure): FakeAnswer => {
    if (request.method === 'GET' && request.path === '/v1/.well-known/openidconfiguration') {
      return {
        status: 200,
        body: {
          issuer: botFrameworkIssuerForFake,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${baseUrl}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        },
      };
    }
    if (request.method === 'GET' && request.path === '/v1/.well-known/keys')
      return { status: 200, body: jwks };
    if (request.method === 'POST' && request.path === `/${tenant}/oauth2/v2.0/token`) return token(request);
    const conversation = /^\/v3\/conversations\/([^/]+)\/activities$/.exec(request.path);
    if (request.method === 'POST' && conversation?.[1]) {
      return postActivity(request, decodeURIComponent(conversation[1]), takeFailure);
    }
    return {
      status: 404,
      body: { error: { code: 'NotFound', message: `No route for ${request.method} ${request.path}` } },
    };
  });
  baseUrl = fake.baseUrl;

  function token(request: RecordedRequest): FakeAnswer {
    const form = request.form ?? {};
    if (form.grant_type !== 'client_credentials') {
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: 'AADSTS70003: The app requested an unsupported grant type.',
        },
      };
    }
    if (form.client_id !== appId || form.client_secret !== appPassword) {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        },
      };
    }
    if (form.scope !== 'https://api.botframework.com/.default') {
      return {
        status: 400,
        body: { error: 'invalid_scope', error_description: 'AADSTS70011: The provided scope is not valid.' },
      };
    }
    const accessToken = `eyFake.${randomBytes(24).toString('base64url')}`;
    issuedTokens.push(accessToken);
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken },
    };
  }

  function postActivity(
    request: RecordedRequest,
    conversationId: string,
    takeFailure: () => ScriptedFailure | undefined,
  ): FakeAnswer {
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !issuedTokens.includes(bearer)) {
      return { status: 401, body: { message: 'Authorization has been denied for this request.' } };
    }
    const failure = takeFailure();
    if (failure) return failureAnswer(failure);
    const activity = request.json;
    if (!isRecord(activity) || typeof activity.type !== 'string') {
      return badArgument('Activity must have a type');
    }
    if (activity.type === 'message') {
      const hasText = typeof activity.text === 'string' && activity.text.length > 0;
      const attachments = Array.isArray(activity.attachments) ? activity.attachments : [];
      if (!hasText && attachments.length === 0) return badArgument('Activity must have text or attachments');
      for (const attachment of attachments) {
        if (!isRecord(attachment) || typeof attachment.contentType !== 'string') {
          return badArgument('Attachment must have a contentType');
        }
        if (attachment.content === undefined && typeof attachment.contentUrl !== 'string') {
          return badArgument('Attachment must have content or a contentUrl');
        }
      }
    }
    const id = `1:${nextActivity++}${randomBytes(4).toString('hex')}`;
    activities.push({ conversationId, activity, id });
    return { status: 201, body: { id } };
  }

  function signToken(
    claims: Record<string, unknown>,
    signOptions: { kid?: string; key?: KeyObject } = {},
  ): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: signOptions.kid ?? kid, x5t: signOptions.kid ?? kid };
    const payload = {
      iss: botFrameworkIssuerForFake,
      aud: appId,
      serviceUrl: baseUrl,
      nbf: now - 5,
      iat: now - 5,
      exp: now + 3600,
      ...claims,
    };
    const signed = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
    const signature = sign('RSA-SHA256', Buffer.from(signed), signOptions.key ?? privateKey);
    return `${signed}.${signature.toString('base64url')}`;
  }

  return {
    ...fake,
    appId,
    appPassword,
    jwks,
    issuedTokens,
    activities,
    signToken,
    signedWebhook: (activity) => {
      const full = { channelId: 'msteams', serviceUrl: baseUrl, ...activity };
      const body = JSON.stringify(full);
      return {
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${signToken({ serviceUrl: full.serviceUrl })}`,
        },
        body,
      };
    },
    textActivity: ({ fromId, conversationId, text }) => ({
      type: 'message',
      id: `${Date.now()}${randomBytes(2).toString('hex')}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: baseUrl,
      from: { id: fromId, name: 'Test Person', aadObjectId: randomBytes(8).toString('hex') },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
      recipient: { id: `28:${appId}`, name: 'Bot' },
      text,
      textFormat: 'plain',
    }),
  };
}

/** A key of the same kind the fake does not publish: tokens it signs fail verification. */
export function otherSigningKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

function failureAnswer(failure: ScriptedFailure): FakeAnswer {
  const headers = retryAfterHeader(failure);
  if (failure.body !== undefined) return { status: failure.status, headers, body: failure.body };
  const code = failure.status === 429 ? 'Throttled' : failure.status >= 500 ? 'ServiceError' : 'BadArgument';
  const message =
    failure.status === 429
      ? 'Too many requests, retry after the delay'
      : failure.status >= 500
        ? 'Service error'
        : 'Bad request';
  return { status: failure.status, headers, body: { error: { code, message } } };
}

function badArgument(message: string): FakeAnswer {
  return { status: 400, body: { error: { code: 'BadArgument', message } } };
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
