import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived: what the signature covers. */
  rawBody: string;
  body: { id: string; type: string; data: Record<string, unknown> };
  at: number;
}

/** What the receiver answers: a status (after `delayMs`), or never (`'hang'`). */
export type WebhookAnswer = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A client's backend as the tests need it: records every webhook request and answers as told.
 * `listen(port)` can start it on a port chosen before (to be "down" first and come up later).
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  answer: (req: ReceivedWebhook) => WebhookAnswer | Promise<WebhookAnswer>;
  #server: Server | undefined;
  #held = new Set<ServerResponse>();
  #port = 0;

  constructor(answer: WebhookReceiver['answer'] = () => ({ status: 200 })) {
    this.answer = answer;
  }

  static async start(answer?: WebhookReceiver['answer'], port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(answer);
    await receiver.listen(port);
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/webhook`;
  }

  /** Requests waiting for an answer that will not come. */
  get hanging(): number {
    return this.#held.size;
  }

  /** The first request of each event id, in arrival order (a deduping receiver's view). */
  unique(): ReceivedWebhook[] {
    const seen = new Set<string>();
    return this.requests.filter((r) => {
      const id = String(r.headers['x-switchboard-event-id']);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  async listen(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const received: ReceivedWebhook = {
          headers: req.headers,
          rawBody,
          body: JSON.parse(rawBody),
          at: Date.now(),
        };
        this.requests.push(received);
        void Promise.resolve(this.answer(received)).then((a) => {
          if (a === 'hang') {
            this.#held.add(res);
            res.on('close', () => this.#held.delete(res));
            return;
          }
          setTimeout(() => res.writeHead(a.status, a.headers).end(), a.delayMs ?? 0);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const res of this.#held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
