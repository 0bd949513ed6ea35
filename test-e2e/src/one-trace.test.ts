import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedCase, telegramCase } from './channels-cases.js';
import { startConnector } from './channels-harness.js';
import { clientHeaders, eventually, http } from './http.js';
import { TestSystem } from './system.js';
import { WebhookReceiver } from './webhook-receiver.js';

/** A span as OTLP/HTTP JSON carries it (ids in hex), with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}

const SERVER = 2;
const CLIENT = 3;

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
type KeyValue = { key: string; value: AnyValue };
const anyValue = (v: AnyValue) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
const attributesOf = (list: KeyValue[] | undefined) =>
  Object.fromEntries((list ?? []).map((a) => [a.key, anyValue(a.value)]));

/**
 * The smallest OTLP/HTTP collector: takes `POST /v1/traces` in the JSON encoding
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps every span.
 */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  #server: Server | undefined;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') this.#take(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  #take(body: {
    resourceSpans?: {
      resource?: { attributes?: KeyValue[] };
      scopeSpans?: {
        spans?: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: KeyValue[] })[];
      }[];
    }[];
  }) {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(attributesOf(rs.resource?.attributes)['service.name']);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            kind: s.kind,
            links: s.links ?? [],
            attributes: attributesOf(s.attributes),
          });
        }
      }
    }
  }

  inTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

/** The JSON log lines a service wrote. */
const logLines = (system: TestSystem, service: string): Record<string, unknown>[] =>
  system
    .logs(service)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return []; // a line cut by the output buffer
      }
    });

describe('one trace per request', () => {
  const collector = new OtlpReceiver();
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let url: string;
  let headers: Record<string, string>;
  let conversation: { userId: string; conversationId: string };
  let telegram: StartedCase;

  beforeAll(async () => {
    const endpoint = await collector.start();
    receiver = await WebhookReceiver.start();
    telegram = await telegramCase();
    system = await TestSystem.start({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        LOG_LEVEL: 'info',
        WEBHOOK_POLL_INTERVAL_MS: '200',
      },
    });
    url = system.gatewayUrl;
    const synced = await http<{ id: string; token: string }>(url, 'POST', '/api/v1/sync', {
      body: { webhooks: [{ url: receiver.url }] },
    });
    expect(synced.status).toBe(200);
    headers = clientHeaders(synced.body.id, synced.body.token);
    const user = await http<{ id: string }>(url, 'POST', '/api/v1/users', { headers });
    const conv = await http<{ id: string }>(url, 'POST', '/api/v1/conversations', {
      headers,
      body: { userId: user.body.id },
    });
    conversation = { userId: user.body.id, conversationId: conv.body.id };
    await startConnector(system, telegram.case);
  });
  afterAll(async () => {
    await system?.stop();
    await telegram?.close();
    await receiver?.close();
    await collector.close();
  });

  const postMessage = async (text: string, extra: Record<string, string> = {}) => {
    const requestId = `one-trace-${randomUUID()}`;
    const res = await http<{ id: string }>(url, 'POST', '/api/v1/messages', {
      headers: { ...headers, 'x-request-id': requestId, ...extra },
      body: {
        conversationId: conversation.conversationId,
        authorId: conversation.userId,
        payload: { type: 'text', text },
      },
    });
    expect(res.status).toBe(201);
    return { requestId, messageId: res.body.id };
  };

  it('links the HTTP span, the command handler, the append and the webhook delivery in one trace', async () => {
    const { requestId, messageId } = await postMessage('follow me');

    // The request's log lines name its trace: that is how an operator goes from a log to the trace.
    const requestLines = await eventually(async () => {
      const lines = logLines(system, 'gateway').filter((l) => l.reqId === requestId);
      return lines.some((l) => l.msg === 'request completed') ? lines : undefined;
    });
    expect(requestLines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
    const traceId = requestLines[0]?.trace_id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const line of requestLines) expect(line.trace_id).toBe(traceId);

    const webhook = await eventually(async () =>
      receiver.requests.find(
        (r) =>
          r.body.type === 'message.new' &&
          (r.body.data.message as { id?: string } | undefined)?.id === messageId,
      ),
    );
    // The client's backend gets the trace context too, and can continue the trace.
    expect(webhook.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const expected = [
      'gateway POST /api/v1/messages',
      'command-handler handle PostMessage',
      'command-handler append conversation',
      'webhook-dispatcher deliver webhook message.new',
      'webhook-dispatcher POST',
    ];
    const inTrace = () => collector.inTrace(String(traceId));
    const spans = await eventually(async () => {
      const names = new Set(inTrace().map((s) => `${s.service} ${s.name}`));
      return expected.every((n) => names.has(n)) ? inTrace() : undefined;
    }, 20_000).catch((error: Error) => {
      const seen = inTrace().map((s) => `${s.service} ${s.name}`);
      throw new Error(`${error.message}; spans of the trace: ${seen.join(' | ')}`);
    });
    const byName = (service: string, name: string) => {
      const span = spans.find((s) => s.service === service && s.name === name);
      if (!span) throw new Error(`no ${name} span from ${service}`);
      return span;
    };
    const parentOf = (span: ReceivedSpan) => spans.find((s) => s.spanId === span.parentSpanId);
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (let p = parentOf(span); p; p = parentOf(p)) chain.push(p);
      return chain;
    };

    const httpSpan = byName('gateway', 'POST /api/v1/messages');
    expect(httpSpan.kind).toBe(SERVER);
    expect(httpSpan.parentSpanId).toBeUndefined(); // the request started the trace
    expect(httpSpan.attributes['http.route']).toBe('/api/v1/messages');
    expect(Number(httpSpan.attributes['http.response.status_code'])).toBe(201);

    // Each hop is a descendant of the one before, across processes: one tree from the HTTP span.
    const handler = byName('command-handler', 'handle PostMessage');
    expect(handler.kind).toBe(SERVER);
    expect(ancestors(handler)).toContain(httpSpan);
    const decide = byName('command-handler', 'decide PostMessage');
    expect(parentOf(decide)).toBe(handler);
    const append = byName('command-handler', 'append conversation');
    expect(append.attributes['switchboard.stream']).toBe(`conversation-${conversation.conversationId}`);
    expect(parentOf(append)).toBe(decide);
    // The event keeps the decision's traceparent: the relay's publish and, however much later, the
    // webhook delivery continue from there.
    const publish = spans.find((s) => s.service === 'relay' && parentOf(s) === decide);
    expect(publish?.name).toMatch(/^publish .*MessagePosted$/);
    const delivery = byName('webhook-dispatcher', 'deliver webhook message.new');
    expect(delivery.attributes['switchboard.event_id']).toBe(webhook.headers['x-switchboard-event-id']);
    expect(parentOf(delivery)).toBe(decide);
    expect(ancestors(delivery)).toContain(httpSpan);
    // The HTTP call to the client's backend is the delivery's client span, and its id went out.
    const post = spans.find((s) => s.service === 'webhook-dispatcher' && s.kind === CLIENT);
    expect(post && parentOf(post)).toBe(delivery);
    expect(webhook.headers.traceparent).toContain(String(post?.spanId));

    // The projector applies events of many requests per batch: its span links to this trace.
    const projected = await eventually(async () =>
      collector.spans.find((s) => s.service === 'projector' && s.links.some((l) => l.traceId === traceId)),
    );
    expect(projected.name).toBe('project core');
  });

  it('continues the trace a caller sends in `traceparent`', async () => {
    const traceId = randomBytes(16).toString('hex');
    const { requestId } = await postMessage('already traced', {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
    const line = await eventually(async () =>
      logLines(system, 'gateway').find((l) => l.reqId === requestId && l.msg === 'request completed'),
    );
    expect(line.trace_id).toBe(traceId);
    await eventually(async () =>
      collector
        .inTrace(traceId)
        .some((s) => s.service === 'command-handler' && s.name === 'handle PostMessage')
        ? true
        : undefined,
    );
  });

  it('follows a bot message through the connector to the provider, in the request’s trace', async () => {
    const channel = telegram.case;
    const synced = await http<{ id: string; token: string }>(url, 'POST', '/api/v1/sync', {
      body: { channels: { telegram: { enabled: true, ...channel.config } } },
    });
    const botHeaders = clientHeaders(synced.body.id, synced.body.token);
    const mapped = await http<{ conversationId: string }>(url, 'POST', '/api/v1/endpoints/map', {
      headers: botHeaders,
      body: { channel: 'telegram', ...channel.person(1) },
    });
    expect(mapped.status).toBe(200);
    const requestId = `one-trace-${randomUUID()}`;
    const res = await http(url, 'POST', '/api/v1/messages', {
      headers: { ...botHeaders, 'x-request-id': requestId },
      body: { conversationId: mapped.body.conversationId, payload: { type: 'text', text: 'to telegram' } },
    });
    expect(res.status).toBe(201);
    const line = await eventually(async () =>
      logLines(system, 'gateway').find((l) => l.reqId === requestId && l.msg === 'request completed'),
    );
    const traceId = String(line.trace_id);
    await channel.waitForRequests(1, 15_000);

    // The connector's work is in the request's trace, down to the call to the provider.
    const fakeHost = new URL(fakeBase()).host;
    const spans = await eventually(async () => {
      const found = collector.inTrace(traceId).filter((s) => s.service === 'connector-telegram');
      const call = found.some((s) => s.kind === CLIENT && s.attributes['server.address'] === fakeHost);
      const processed = found.some((s) => s.name.startsWith('process ') && s.name.endsWith('.MessagePosted'));
      return call && processed ? found : undefined;
    }, 20_000);
    // No credential of the URL (Telegram's /bot<token>/…) is recorded.
    expect(JSON.stringify(spans)).not.toContain(String(channel.config.botToken));

    const metrics = await fetch(`${system.running.get('connector-telegram')?.healthUrl}/metrics`);
    expect(await metrics.text()).toMatch(
      /^switchboard_connector_sends_total\{channel="telegram",outcome="sent"\} 1$/m,
    );
  });

  const fakeBase = () => String(telegram.case.connectorEnv.TELEGRAM_API_BASE_URL);

  it('serves each service’s metrics in the Prometheus format', async () => {
    const scrape = async (service: string) => {
      const res = await fetch(`${system.running.get(service)?.healthUrl}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      return res.text();
    };
    expect(await scrape('command-handler')).toMatch(
      /^switchboard_commands_handled_total\{type="PostMessage"\} [1-9]/m,
    );
    const handler = await scrape('command-handler');
    expect(handler).toMatch(/^switchboard_event_store_append_seconds_count [1-9]/m);
    expect(handler).toMatch(
      /^switchboard_consumer_lag_messages\{stream="[^"]*INBOX",consumer="[^"]+"\} \d+/m,
    );
    // A message to a conversation that does not exist is a command the core answers "not found".
    const missing = await http(url, 'POST', '/api/v1/messages', {
      headers,
      body: {
        conversationId: randomUUID(),
        authorId: conversation.userId,
        payload: { type: 'text', text: 'nowhere' },
      },
    });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
    expect(await scrape('command-handler')).toMatch(
      /^switchboard_commands_rejected_total\{type="PostMessage",status="[a-z_]+"\} [1-9]/m,
    );
    expect(await scrape('relay')).toMatch(/^switchboard_relay_lag_events \d+/m);
    expect(await scrape('projector')).toMatch(/^switchboard_projection_lag_events\{projection="core"\} \d+/m);
    const dispatcher = await scrape('webhook-dispatcher');
    expect(dispatcher).toMatch(/^switchboard_webhook_attempts_total\{outcome="delivered"\} [1-9]/m);
    expect(dispatcher).toMatch(
      /^switchboard_consumer_lag_messages\{stream="[^"]*EVENTS",consumer="[^"]+"\} \d+/m,
    );
    // The gateway serves its scrape on its own port (it records no metric of its own yet).
    await scrape('gateway');
  });
});
