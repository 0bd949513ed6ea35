/** The few Botpress-dialect calls the benchmark makes to set itself up. */
export interface Credentials {
  id: string;
  token: string;
}

async function call<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export const clientHeaders = (c: Credentials): Record<string, string> => ({
  'x-bp-messaging-client-id': c.id,
  'x-bp-messaging-client-token': c.token,
});

export function createClient(base: string): Promise<Credentials> {
  return call<Credentials>(base, 'POST', '/api/v1/sync', {});
}

/** A new user and a conversation of theirs; returns both ids. */
export async function createConversation(
  base: string,
  client: Credentials,
): Promise<{ userId: string; conversationId: string }> {
  const user = await call<{ id: string }>(base, 'POST', '/api/v1/users', undefined, clientHeaders(client));
  // The gateway answers once the projector has the user, or when its read-your-writes wait times out:
  // on a machine overloaded enough for that, the user can still be missing for a moment.
  for (let tries = 1; ; tries++) {
    try {
      const conversation = await call<{ id: string }>(
        base,
        'POST',
        '/api/v1/conversations',
        { userId: user.id },
        clientHeaders(client),
      );
      return { userId: user.id, conversationId: conversation.id };
    } catch (error) {
      if (tries >= 10 || !String(error).includes('user not found')) throw error;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** `count` conversations, created `parallel` at a time. */
export async function createConversations(
  base: string,
  client: Credentials,
  count: number,
  parallel = 10,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, count - i) }, () => createConversation(base, client)),
    );
    ids.push(...batch.map((c) => c.conversationId));
  }
  return ids;
}
