import type postgres from 'postgres';

export interface Webhook {
  id: string;
  clientId: string;
  url: string;
  tokenSealed: string;
}

export type WebhookChange =
  | { kind: 'added'; webhook: Webhook }
  | { kind: 'removed'; id: string; clientId: string };

/**
 * Each client's current webhooks, in memory, mirroring `dispatch.webhooks`. The recorder changes both
 * from WebhookAdded/WebhookRemoved in log order, so an event is delivered to the webhooks the client had
 * when the event happened.
 */
export class WebhookRegistry {
  readonly #byClient = new Map<string, Map<string, Webhook>>();

  static async load(sql: postgres.Sql): Promise<WebhookRegistry> {
    const registry = new WebhookRegistry();
    const rows = await sql<{ id: string; client_id: string; url: string; token_sealed: string }[]>`
      SELECT id, client_id, url, token_sealed FROM dispatch.webhooks WHERE removed_at IS NULL`;
    for (const r of rows) {
      registry.apply({
        kind: 'added',
        webhook: { id: r.id, clientId: r.client_id, url: r.url, tokenSealed: r.token_sealed },
      });
    }
    return registry;
  }

  forClient(clientId: string): Webhook[] {
    return [...(this.#byClient.get(clientId)?.values() ?? [])];
  }

  get size(): number {
    let n = 0;
    for (const hooks of this.#byClient.values()) n += hooks.size;
    return n;
  }

  apply(change: WebhookChange): void {
    switch (change.kind) {
      case 'added': {
        const hooks = this.#byClient.get(change.webhook.clientId) ?? new Map<string, Webhook>();
        hooks.set(change.webhook.id, change.webhook);
        this.#byClient.set(change.webhook.clientId, hooks);
        return;
      }
      case 'removed': {
        const hooks = this.#byClient.get(change.clientId);
        hooks?.delete(change.id);
        if (hooks?.size === 0) this.#byClient.delete(change.clientId);
        return;
      }
      default: {
        const never: never = change;
        throw new Error(`unknown webhook change ${JSON.stringify(never)}`);
      }
    }
  }

  /** A view of this registry with a batch's changes applied on top, leaving the registry as it is. */
  overlay(): WebhookOverlay {
    return new WebhookOverlay(this);
  }
}

/** The registry as a batch in progress sees it; `commit()` applies the batch's changes once it is stored. */
export class WebhookOverlay {
  readonly changes: WebhookChange[] = [];
  readonly #touched = new Map<string, Map<string, Webhook>>();

  constructor(private readonly base: WebhookRegistry) {}

  forClient(clientId: string): Webhook[] {
    const touched = this.#touched.get(clientId);
    return touched ? [...touched.values()] : this.base.forClient(clientId);
  }

  apply(change: WebhookChange): void {
    const clientId = change.kind === 'added' ? change.webhook.clientId : change.clientId;
    const hooks = this.#touched.get(clientId) ?? new Map(this.base.forClient(clientId).map((w) => [w.id, w]));
    if (change.kind === 'added') hooks.set(change.webhook.id, change.webhook);
    else hooks.delete(change.id);
    this.#touched.set(clientId, hooks);
    this.changes.push(change);
  }

  commit(): void {
    for (const change of this.changes) this.base.apply(change);
  }
}
