import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
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

class AttemptTimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * Posts webhook requests over one keep-alive connection pool. Every attempt has one time limit, from
 * connecting to the last byte; redirects are not followed; hosts are checked by `address-policy`.
 *
 * Requests go through undici's `dispatch` with a handler of our own rather than `request()`: an answer
 * is a status, a few headers and at most an excerpt of its body, so it needs no body stream, and the
 * time limit of every attempt in flight is checked by one timer instead of an `AbortSignal` each.
 * Together that halves the CPU an attempt costs here.
 */
export class WebhookSender {
  readonly #agent: Agent;
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;
  readonly #inFlight = new Set<AnswerHandler>();
  readonly #targets = new Map<string, Target>();
  #sweeper: NodeJS.Timeout | undefined;

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

  /** Where each URL goes, or why it is refused: a webhook's URL is sent to again and again. */
  #target(raw: string): Target {
    let target = this.#targets.get(raw);
    if (target) return target;
    try {
      const url = new URL(raw);
      const refused = checkWebhookUrl(url, this.#allowPrivate);
      target = refused ? { refused } : { origin: url.origin, path: `${url.pathname}${url.search}` };
    } catch {
      target = { refused: 'not a valid URL' };
    }
    if (this.#targets.size >= MAX_TARGETS) this.#targets.clear();
    this.#targets.set(raw, target);
    return target;
  }

  async send(req: WebhookRequest): Promise<SentAttempt> {
    const target = this.#target(req.url);
    if ('refused' in target) return { result: { kind: 'refused', error: target.refused }, latencyMs: 0 };

    const attempt = new AnswerHandler(performance.now() + this.#timeoutMs);
    this.#inFlight.add(attempt);
    this.#sweep();
    try {
      this.#agent.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: 'POST',
          headers: req.headers,
          body: req.body,
        },
        attempt,
      );
      const answer = await attempt.done;
      const latencyMs = Math.round(performance.now() - attempt.startedAt);
      const { statusCode } = answer;
      if (statusCode >= 200 && statusCode < 300)
        return { result: { kind: 'response', statusCode }, latencyMs };
      const retryAfterMs = parseRetryAfter(answer.retryAfter, new Date());
      return {
        result: {
          kind: 'response',
          statusCode,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          error: `HTTP ${statusCode}${answer.excerpt ? `: ${answer.excerpt}` : ''}`,
        },
        latencyMs,
      };
    } catch (err) {
      const latencyMs = Math.round(performance.now() - attempt.startedAt);
      const code = errorCode(err);
      if (code === 'ERR_WEBHOOK_ADDRESS_REFUSED') {
        return { result: { kind: 'refused', error: errorMessage(err) }, latencyMs };
      }
      const timedOut =
        err instanceof AttemptTimeoutError ||
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT';
      const error = timedOut
        ? `timed out after ${this.#timeoutMs} ms`
        : `${code ? `${code}: ` : ''}${errorMessage(err)}`;
      return { result: { kind: 'network', error }, latencyMs };
    } finally {
      this.#inFlight.delete(attempt);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await this.#agent.close();
  }

  /** Aborts the attempts past their time limit, a tenth of the limit at the latest; stops when idle. */
  #sweep(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(
      () => {
        if (this.#inFlight.size === 0) {
          clearInterval(this.#sweeper);
          this.#sweeper = undefined;
          return;
        }
        const now = performance.now();
        for (const attempt of this.#inFlight) {
          if (now >= attempt.deadline) attempt.abort(new AttemptTimeoutError('the attempt timed out'));
        }
      },
      Math.max(10, Math.min(1_000, Math.round(this.#timeoutMs / 10))),
    );
    this.#sweeper.unref();
  }
}

type Target = { origin: string; path: string } | { refused: string };
const MAX_TARGETS = 10_000;

interface Answer {
  statusCode: number;
  retryAfter: string | undefined;
  /** The start of the body of an answer that is not a success, whitespace collapsed. */
  excerpt: string;
}

/** One request's handler: keeps the status, `Retry-After` and, when it failed, the start of the body. */
class AnswerHandler implements Dispatcher.DispatchHandler {
  readonly startedAt = performance.now();
  readonly done: Promise<Answer>;
  #resolve!: (answer: Answer) => void;
  #reject!: (err: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #aborted: Error | undefined;
  #statusCode = 0;
  #retryAfter: string | undefined;
  #chunks: Buffer[] | undefined;
  #size = 0;

  constructor(readonly deadline: number) {
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  abort(reason: Error): void {
    this.#aborted ??= reason;
    this.#controller?.abort(reason);
    // Not started yet (still connecting): undici's connect time-out ends it; answer now all the same.
    this.#reject(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#aborted) controller.abort(this.#aborted);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.#statusCode = statusCode;
    const retryAfter = headers['retry-after'];
    this.#retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    if (statusCode < 200 || statusCode >= 300) this.#chunks = [];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#chunks || this.#size >= ERROR_BODY_BYTES) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  onResponseEnd(): void {
    const excerpt = this.#chunks
      ? Buffer.concat(this.#chunks)
          .subarray(0, ERROR_BODY_BYTES)
          .toString('utf8')
          // Control characters too: PostgreSQL's text holds no NUL, and the error is recorded as text.
          .replace(/[\s\p{Cc}]+/gu, ' ')
          .trim()
      : '';
    this.#resolve({ statusCode: this.#statusCode, retryAfter: this.#retryAfter, excerpt });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#reject(this.#aborted ?? err);
  }
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
