import { randomUUID } from 'node:crypto';
import { createTestDatabase, createTestNats, type TestDatabase, type TestNats } from '@switchboard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../service.js';
import { startTestGateway } from '../../test-gateway.js';

// What the gateway answers on its own, before any command reaches the core: auth, validation,
// size limits, and an honest 503 when no command handler is there.
describe('Botpress dialect at the edge', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let gateway: RunningGateway;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${gateway.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    gateway = await startTestGateway(db, nats);
  });
  afterAll(async () => {
    await gateway.stop();
    await nats.close();
    await db.drop();
  });

  it('answers 401 in the dialect format without client headers', async () => {
    const res = await call(`/api/v1/users/${randomUUID()}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: expect.stringContaining('x-bp-messaging-client-id'),
    });
  });

  it('answers 401 for an unknown client and a malformed client id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await call('/api/v1/clients', {
        headers: { 'x-bp-messaging-client-id': id, 'x-bp-messaging-client-token': 'x' },
      });
      expect(res.status).toBe(401);
    }
  });

  it('answers 400 naming the field for a malformed id', async () => {
    const res = await call('/api/v1/users/not-a-uuid', {
      headers: { 'x-bp-messaging-client-id': randomUUID(), 'x-bp-messaging-client-token': 'x' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/id/);
  });

  it('answers 400 naming an unknown channel in sync', async () => {
    const res = await call('/api/v1/sync', {
      method: 'POST',
      body: JSON.stringify({ channels: { pigeon: {} } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/channels\.pigeon/);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await call('/api/v1/sync', { method: 'POST', body: '{"channels":' });
    expect(res.status).toBe(400);
  });

  it('answers 400 for a NUL character in a body or a URL, which nothing could store', async () => {
    const inBody = await call('/api/v1/sync', {
      method: 'POST',
      body: '{"webhooks":[{"url":"https://example.com/a\\u0000"}]}',
    });
    const inUrl = await call('/api/v1/users/%00', {
      headers: { 'x-bp-messaging-client-id': randomUUID(), 'x-bp-messaging-client-token': 'x' },
    });
    for (const res of [inBody, inUrl]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringContaining('NUL character'),
      });
    }
    // The six characters of the escape, as text, are no NUL: refused for what they are, an id that is
    // not a UUID.
    const asText = await call('/api/v1/sync', { method: 'POST', body: '{"id":"\\\\u0000"}' });
    expect(asText.status).toBe(400);
    expect(((await asText.json()) as { message: string }).message).not.toMatch(/NUL/);
  });

  it('answers 413 for an oversized body', async () => {
    const res = await call('/api/v1/sync', {
      method: 'POST',
      body: JSON.stringify({ webhooks: [{ url: `https://example.com/${'x'.repeat(70_000)}` }] }),
    });
    expect(res.status).toBe(413);
  });

  it('answers 503 when no command handler responds, and stores nothing', async () => {
    const res = await call('/api/v1/sync', { method: 'POST', body: JSON.stringify({}) });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('Service Unavailable');
  });

  it('requires the admin key to create a client through the admin route', async () => {
    const res = await call('/api/v1/admin/clients', { method: 'POST', body: JSON.stringify({}) });
    expect(res.status).toBe(401);
  });

  it('serves OpenAPI generated from the route schemas', async () => {
    const res = await fetch(`${gateway.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/sync',
        '/api/v1/messages',
        '/api/v1/endpoints/map',
        '/api/v1/messages/collect',
      ]),
    );
  });

  it('answers its probes', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { nats: true, database: true } });
  });
});
