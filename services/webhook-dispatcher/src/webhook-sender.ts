import { Agent, request } from 'undici';
import { checkWebhookUrl, guardedLookup } from './address-policy.js';
import { type AttemptResult, parseRetryAfter } from './retry-policy.js';

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface SentAttempt {
  result: AttemptResult;
  latencyMs: number;
}

/** How much of a failed answer's body is kept as the attempt's error, for the client to see why. */
const ERROR_BODY_BYTES = 512;

/**
 * Posts webhook requests over one keep-alive connection pool. Every attempt has one time limit, from
 * connecting to the last byte; redirects are not followed; hosts are checked by `address-policy`.
 */
export class WebhookSender {
  readonly #agent: Agent;
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;

  constructor(options: { allowPrivate: boolean; timeoutMs: number }) {
    this.#allowPrivate = options.allowPrivate;
    this.#timeoutMs = options.timeoutMs;
    this.#agent = new Agent({
      connect: { timeout: options.timeoutMs, lookup: guardedLookup(options.allowPrivate) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  async send(req: WebhookRequest): Promise<SentAttempt> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { result: { kind: 'refused', error: 'not a valid URL' }, latencyMs: 0 };
    }
    const refused = checkWebhookUrl(url, this.#allowPrivate);
    if (refused) return { result: { kind: 'refused', error: refused }, latencyMs: 0 };

    try {
      const res = await request(url, {
        dispatcher: this.#agent,
        method: 'POST',
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const latencyMs = elapsed();
      const { statusCode } = res;
      if (statusCode >= 200 && statusCode < 300) {
        await res.body.dump().catch(() => {});
        return { result: { kind: 'response', statusCode }, latencyMs };
      }
      const excerpt = await readExcerpt(res.body).catch(() => '');
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], new Date());
      return {
        result: {
          kind: 'response',
          statusCode,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          error: `HTTP ${statusCode}${excerpt ? `: ${excerpt}` : ''}`,
        },
        latencyMs,
      };
    } catch (err) {
      const latencyMs = elapsed();
      const code = errorCode(err);
      if (code === 'ERR_WEBHOOK_ADDRESS_REFUSED') {
        return { result: { kind: 'refused', error: errorMessage(err) }, latencyMs };
      }
      const timedOut =
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT' ||
        (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));
      const error = timedOut
        ? `timed out after ${this.#timeoutMs} ms`
        : `${code ? `${code}: ` : ''}${errorMessage(err)}`;
      return { result: { kind: 'network', error }, latencyMs };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= ERROR_BODY_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
}

function errorCode(err: unknown): string | undefined {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes.find((c) => c === 'ERR_WEBHOOK_ADDRESS_REFUSED') ?? codes[0];
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
