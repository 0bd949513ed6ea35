import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender } from './webhook-sender.js';

/** A client backend on loopback whose answer each test sets. */
let answer: (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let base: string;
const open = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const res of open) res.destroy();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = (path = '/hook?x=1') => ({
  url: `${base}${path}`,
  body: '{"id":"e1","type":"message.new"}',
  headers: { 'content-type': 'application/json', 'x-switchboard-event-id': 'e1' },
});

describe('WebhookSender', () => {
  it('posts the body and headers to the path and query, and reports a 2xx with its latency', async () => {
    let seen: { method?: string; url?: string; body: string; eventId?: string | string[] } | undefined;
    answer = (req, body, res) => {
      seen = { method: req.method, url: req.url, body, eventId: req.headers['x-switchboard-event-id'] };
      res.writeHead(204).end();
    };
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const sent = await sender.send(request());
      expect(sent.result).toEqual({ kind: 'response', statusCode: 204 });
      expect(sent.latencyMs).toBeGreaterThanOrEqual(0);
      expect(seen).toEqual({
        method: 'POST',
        url: '/hook?x=1',
        body: '{"id":"e1","type":"message.new"}',
        eventId: 'e1',
      });
    } finally {
      await sender.close();
    }
  });

  it('keeps the start of a failed answer’s body and its Retry-After', async () => {
    answer = (_req, _body, res) => {
      res.writeHead(503, { 'retry-after': '7' });
      res.end(`busy,\n  try   later ${'x'.repeat(4_000)}`);
    };
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const { result } = await sender.send(request());
      expect(result).toMatchObject({ kind: 'response', statusCode: 503, retryAfterMs: 7_000 });
      const error = (result as { error: string }).error;
      expect(error.startsWith('HTTP 503: busy, try later xxx')).toBe(true);
      expect(error.length).toBeLessThanOrEqual('HTTP 503: '.length + 512);
    } finally {
      await sender.close();
    }
  });

  it('keeps no control character of a failed answer’s body (PostgreSQL text holds no NUL)', async () => {
    answer = (_req, _body, res) => {
      res.writeHead(500);
      res.end(Buffer.from('bad\u0000\u0001 thing\u007f!', 'utf8'));
    };
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const { result } = await sender.send(request());
      expect(result).toMatchObject({ kind: 'response', statusCode: 500, error: 'HTTP 500: bad thing !' });
    } finally {
      await sender.close();
    }
  });

  it('gives up on an answer that never comes after the time limit', async () => {
    answer = () => {};
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 300 });
    try {
      const started = Date.now();
      const sent = await sender.send(request());
      expect(sent.result).toEqual({ kind: 'network', error: 'timed out after 300 ms' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await sender.close();
    }
  });

  it('counts the time limit to the last byte: a body that keeps trickling in is cut off', async () => {
    answer = (_req, _body, res) => {
      res.writeHead(500);
      const drip = setInterval(() => res.write('.'), 30);
      res.on('close', () => clearInterval(drip));
    };
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 400 });
    try {
      const started = Date.now();
      const sent = await sender.send(request());
      expect(sent.result).toEqual({ kind: 'network', error: 'timed out after 400 ms' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await sender.close();
    }
  });

  it('reports a closed port as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const sent = await sender.send({ ...request(), url: `http://127.0.0.1:${port}/hook` });
      expect(sent.result.kind).toBe('network');
      expect((sent.result as { error: string }).error).toContain('ECONNREFUSED');
    } finally {
      await sender.close();
    }
  });

  it('refuses loopback addresses unless private addresses are allowed, without connecting', async () => {
    let requests = 0;
    answer = (_req, _body, res) => {
      requests++;
      res.writeHead(200).end();
    };
    const sender = new WebhookSender({ allowPrivate: false, timeoutMs: 2_000 });
    try {
      const sent = await sender.send(request());
      expect(sent.result.kind).toBe('refused');
      expect(requests).toBe(0);
      const bad = await sender.send({ ...request(), url: 'not a url' });
      expect(bad.result).toEqual({ kind: 'refused', error: 'not a valid URL' });
    } finally {
      await sender.close();
    }
  });

  it('answers every attempt of a burst, each with its own result', async () => {
    answer = (req, _body, res) => res.writeHead(req.url === '/fail' ? 400 : 200).end();
    const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => sender.send(request(i % 5 === 0 ? '/fail' : '/ok'))),
      );
      expect(results.map((sent) => (sent.result as { statusCode: number }).statusCode)).toEqual(
        Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 400 : 200)),
      );
    } finally {
      await sender.close();
    }
  });
});
