import { hashToken } from '@switchboard/crypto';
import { migrateReadModels } from '@switchboard/read-models';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import { decodeJwt } from 'jose';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../service.js';
import { startTestGateway } from '../../test-gateway.js';
import { AccessTokens } from './access-tokens.js';
import { parseRequestedScope } from './scopes.js';
import { requestToken, type SeededClient, seedClient } from './test-support.js';

const SECRETS_KEY = '5a'.repeat(32);

describe('OAuth 2.0 token endpoint and Bearer tokens', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let sql: postgres.Sql;
  let gateway: RunningGateway;
  let client: SeededClient;

  const token = (body: string | URLSearchParams | undefined, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/oauth2/token`, { method: 'POST', body, headers });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields);
  const credentials = () => ({ client_id: client.id, client_secret: client.secret });
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
  });
  const connections = (accessToken?: string) =>
    fetch(`${gateway.url}/api/client/connections`, {
      headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    sql = postgres(db.url, { max: 2, onnotice: () => {} });
    await migrateReadModels(sql);
    gateway = await startTestGateway(db, nats, { SECRETS_KEY });
    client = await seedClient(sql);
  });
  afterAll(async () => {
    await gateway.stop();
    await sql.end();
    await nats.close();
    await db.drop();
  });

  it('issues a Bearer token for a form request (RFC 6749 §4.4), with every scope when none is asked', async () => {
    const res = await token(form({ grant_type: 'client_credentials', ...credentials() }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'client:connections client:send client:outbound_messages contact nickname channel:*',
    });
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({ sub: client.id, client_id: client.id, scope: body.scope });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect((await connections(body.access_token as string)).status).toBe(200);
  });

  it('takes a JSON body and HTTP Basic credentials too, and grants the scope asked', async () => {
    const json = await token(
      JSON.stringify({ grant_type: 'client_credentials', scope: 'contact channel:news', ...credentials() }),
      { 'content-type': 'application/json' },
    );
    expect(json.status).toBe(200);
    expect(((await json.json()) as { scope: string }).scope).toBe('contact channel:news');

    const viaBasic = await token(
      form({ grant_type: 'client_credentials', scope: 'client:connections' }),
      basic(client.id, client.secret),
    );
    expect(viaBasic.status).toBe(200);
    const issued = (await viaBasic.json()) as { access_token: string; scope: string };
    expect(issued.scope).toBe('client:connections');
    expect((await connections(issued.access_token)).status).toBe(200);
  });

  it('refuses a wrong secret, an unknown client and a malformed id with invalid_client and a Basic challenge', async () => {
    const attempts = [
      token(form({ grant_type: 'client_credentials', client_id: client.id, client_secret: 'wrong' })),
      token(
        form({
          grant_type: 'client_credentials',
          client_id: '7d0c3a51-1c5b-4a8b-9f3e-1b2c3d4e5f60',
          client_secret: client.secret,
        }),
      ),
      token(
        form({
          grant_type: 'client_credentials',
          client_id: 'bjOB6HV7cTKtxvfr2k2ucg',
          client_secret: client.secret,
        }),
      ),
      token(form({ grant_type: 'client_credentials' }), basic(client.id, 'wrong')),
      token(form({ grant_type: 'client_credentials' }), { authorization: 'Basic !!!' }),
      token(form({ grant_type: 'client_credentials', client_id: client.id })),
      token(form({ grant_type: 'client_credentials' })),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="switchboard"');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    }
  });

  it('answers RFC 6749 §5.2 errors for a bad grant, scope or request', async () => {
    const cases: [Promise<Response>, number, string, RegExp][] = [
      [token(form(credentials())), 400, 'invalid_request', /grant_type is required/],
      [token(form({ grant_type: 'password', ...credentials() })), 400, 'unsupported_grant_type', /password/],
      [
        token(form({ grant_type: 'client_credentials', scope: 'contact admin', ...credentials() })),
        400,
        'invalid_scope',
        /unknown scope admin/,
      ],
      [
        token(form({ grant_type: 'client_credentials', scope: 'channel:a/b', ...credentials() })),
        400,
        'invalid_scope',
        /channel/,
      ],
      [
        token(form({ grant_type: 'client_credentials', scope: '', ...credentials() })),
        400,
        'invalid_scope',
        /empty/,
      ],
      [
        token(form({ grant_type: 'client_credentials', ...credentials() }), basic(client.id, client.secret)),
        400,
        'invalid_request',
        /once/,
      ],
      [
        token(
          `grant_type=client_credentials&grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`,
          {
            'content-type': 'application/x-www-form-urlencoded',
          },
        ),
        400,
        'invalid_request',
        /grant_type/,
      ],
      [token('{"grant_type":', { 'content-type': 'application/json' }), 400, 'invalid_request', /./],
      [
        token('grant_type=client_credentials', { 'content-type': 'application/xml' }),
        415,
        'invalid_request',
        /./,
      ],
    ];
    for (const [response, status, error, description] of cases) {
      const res = await response;
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe(error);
      expect(body.error_description).toMatch(description);
    }
  });

  it('answers 400 invalid_request for a NUL character in a form or JSON body, or in the URL', async () => {
    const answers = [
      await token(
        form({ grant_type: 'client_credentials', client_id: client.id, client_secret: 'a\u0000b' }),
      ),
      await token(JSON.stringify({ grant_type: 'client_credentials\u0000', ...credentials() }), {
        'content-type': 'application/json',
      }),
      await fetch(`${gateway.url}/oauth2/token?x=%00`, {
        method: 'POST',
        body: form({ grant_type: 'client_credentials', ...credentials() }),
      }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        error_description: expect.stringMatching(/NUL/),
      });
    }
  });

  it('answers 401 invalid_token with a Bearer challenge for a missing, malformed, forged or expired token', async () => {
    const missing = await connections();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="switchboard"');
    expect(await missing.json()).toEqual({
      error: 'invalid_token',
      error_description: expect.stringContaining('Bearer'),
    });

    const past = new AccessTokens(SECRETS_KEY, () => new Date(Date.now() - 2 * 3600_000));
    const grant = parseRequestedScope(undefined);
    if (!grant.ok) throw new Error(grant.reason);
    const expired = (await past.issue(client.id, grant.grant, hashToken(client.secret))).token;
    const forged = (
      await new AccessTokens('6b'.repeat(32)).issue(client.id, grant.grant, hashToken(client.secret))
    ).token;
    const cases: [string | undefined, string, RegExp][] = [
      [`Bearer ${expired}`, 'invalid_token', /expired/],
      [`Bearer ${forged}`, 'invalid_token', /invalid/],
      ['Bearer not.a.jwt', 'invalid_token', /invalid/],
      [
        `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'invalid_token',
        /not a Bearer/,
      ],
      ['Bearer', 'invalid_token', /not a Bearer/],
    ];
    for (const [authorization, error, description] of cases) {
      const res = await fetch(`${gateway.url}/api/client/connections`, {
        headers: { authorization: authorization ?? '' },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="switchboard", error="invalid_token", error_description="/,
      );
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe(error);
      expect(body.error_description).toMatch(description);
    }
  });

  it("stops accepting a client's tokens once its secret is rotated", async () => {
    const rotating = await seedClient(sql);
    const accessToken = await requestToken(gateway.url, rotating);
    expect((await connections(accessToken)).status).toBe(200);
    // What the projector does on ClientTokenRotated: the new hash, then the change announced.
    await sql`UPDATE rm.clients SET token_hash = ${hashToken('a-new-secret')} WHERE id = ${rotating.id}`;
    await sql`SELECT pg_notify('rm_clients', ${rotating.id})`;
    let res = await connections(accessToken);
    for (let i = 0; i < 100 && res.status === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      res = await connections(accessToken);
    }
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error_description: string }).error_description).toMatch(/revoked/);
  });

  it('documents the dialect in the OpenAPI document, each route with its scope', async () => {
    const doc = (await (await fetch(`${gateway.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      components: { securitySchemes: Record<string, { type: string }> };
    };
    expect(doc.components.securitySchemes.aliasOAuth?.type).toBe('oauth2');
    expect(doc.paths['/oauth2/token']?.post).toBeDefined();
    expect(doc.paths['/api/client/connections']?.get?.security).toEqual([
      { aliasOAuth: ['client:connections'] },
    ]);
    expect(doc.paths['/api/client/send']?.post?.security).toEqual([{ aliasOAuth: ['client:send'] }]);
    expect(
      doc.paths['/api/client/outbound-messages/{outbound_message_id}/deliveries/{alias_id}']?.get?.security,
    ).toEqual([{ aliasOAuth: ['contact'] }]);
  });
});
