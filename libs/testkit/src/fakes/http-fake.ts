import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The machinery every fake provider server shares: a `node:http` server on a free loopback port that
 * records each request it receives, answers through the provider's own handler, and replays scripted
 * failures (`failNext`) in order. What is provider-specific (paths, auth, bodies) lives in the handler.
 */

/** A request as the fake received it; `json` or `form` is set when the body parsed as such. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
  json?: unknown;
  form?: Record<string, string>;
}

/** A failure the next provider call gets: a status, the provider's Retry-After, and/or a body of its own. */
export interface ScriptedFailure {
  status: number;
  retryAfterSeconds?: number;
  /** Replaces the provider's default error body: an object is sent as JSON, a string as it is. */
  body?: unknown;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is; undefined as an empty body. */
  body?: unknown;
}

export type FakeHandler = (
  request: RecordedRequest,
  takeFailure: () => ScriptedFailure | undefined,
) => FakeAnswer;

export interface HttpFake {
  /** `http://127.0.0.1:<port>`: what the adapter's base URL is set to. */
  baseUrl: string;
  /** Every request received, in order (failed and refused ones included). */
  requests: RecordedRequest[];
  /** Queues a failure: the next call the fake would have accepted gets it instead. */
  failNext(failure: ScriptedFailure): void;
  /** Resolves once `count` requests have been received, or rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpFake(handler: FakeHandler): Promise<HttpFake> {
  const requests: RecordedRequest[] = [];
  const failures: ScriptedFailure[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((incoming, outgoing) => {
    readBody(incoming)
      .then((body) => {
        const recorded = record(incoming, body);
        requests.push(recorded);
        for (const wake of waiters) wake();
        send(
          outgoing,
          handler(recorded, () => failures.shift()),
        );
      })
      .catch((error: unknown) => send(outgoing, { status: 500, body: { error: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    failNext: (failure) => {
      failures.push(failure);
    },
    waitForRequests: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake received ${requests.length} of ${count} requests in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
  });
}

function record(incoming: IncomingMessage, body: string): RecordedRequest {
  const url = new URL(incoming.url ?? '/', 'http://fake');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const recorded: RecordedRequest = {
    method: incoming.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
  };
  const contentType = headers['content-type'] ?? '';
  if (contentType.includes('application/json')) {
    try {
      recorded.json = JSON.parse(body) as unknown;
    } catch {
      // Left unset: the provider handler answers a malformed body with its own error.
    }
  }
  if (contentType.includes('application/x-www-form-urlencoded')) {
    recorded.form = Object.fromEntries(new URLSearchParams(body));
  }
  return recorded;
}

function send(outgoing: ServerResponse, answer: FakeAnswer): void {
  const headers = { ...answer.headers };
  let body = '';
  if (typeof answer.body === 'string') body = answer.body;
  else if (answer.body !== undefined) {
    body = JSON.stringify(answer.body);
    headers['content-type'] ??= 'application/json';
  }
  outgoing.writeHead(answer.status, headers);
  outgoing.end(body);
}

/** The `Retry-After` header of a scripted failure, when it has one. */
export function retryAfterHeader(failure: ScriptedFailure): Record<string, string> {
  return failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
}
