// A smoke test of a running system through its gateway: creates a client, a user, a conversation
// and a message, and reads the message back — which needs the gateway, the command handler, the
// event store and the projector (read-your-writes) all working.
//
//   node --import tsx k8s/tests/cluster-smoke.ts [gateway URL, default http://127.0.0.1:3100]
//
// Tilt's `cluster-smoke` button runs it against the port-forwarded gateway. Sends ADMIN_KEY (from the
// environment) when set, so it also works where anonymous /sync is off.
import { resolve } from 'node:path';

interface Step {
  status: number;
  body: Record<string, unknown>;
}

export async function runSmoke(gateway: string, log: (line: string) => void = () => {}): Promise<void> {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(new URL(path, gateway), {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const step: Step = {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    log(`${method} ${path} → ${res.status}`);
    return step;
  };

  const ready = await fetch(new URL('/readyz', gateway));
  if (ready.status !== 200) throw new Error(`gateway not ready: ${ready.status} ${await ready.text()}`);
  const admin: Record<string, string> = process.env.ADMIN_KEY
    ? { 'x-bp-messaging-admin-key': process.env.ADMIN_KEY }
    : {};
  const client = (await call('POST', '/api/v1/sync', {}, admin)).body;
  const auth = {
    'x-bp-messaging-client-id': String(client.id),
    'x-bp-messaging-client-token': String(client.token),
  };
  const user = (await call('POST', '/api/v1/users', undefined, auth)).body;
  const conversation = (await call('POST', '/api/v1/conversations', { userId: user.id }, auth)).body;
  const text = `smoke ${new Date().toISOString()}`;
  const message = (
    await call(
      'POST',
      '/api/v1/messages',
      { conversationId: conversation.id, authorId: user.id, payload: { type: 'text', text } },
      auth,
    )
  ).body;
  const listed = await call('GET', `/api/v1/messages/conversation/${conversation.id}`, undefined, auth);
  const messages = (Array.isArray(listed.body) ? listed.body : (listed.body.messages ?? [])) as {
    id?: string;
  }[];
  if (!messages.some((m) => m.id === message.id)) {
    throw new Error(`message ${message.id} not listed in its conversation: ${JSON.stringify(listed.body)}`);
  }
  log(`ok: message ${message.id} stored and read back`);
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const gateway = process.argv[2] ?? 'http://127.0.0.1:3100';
  try {
    await runSmoke(gateway, (line) => console.log(line));
  } catch (error) {
    console.error(`smoke test against ${gateway} failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  }
}
