import { randomUUID } from 'node:crypto';
import type { Bus, CommandEnvelope, CommandReply } from '@switchboard/bus';
import type { Position } from '@switchboard/event-store';
import type { ProjectionWaiter } from '@switchboard/read-models';
import { currentTraceparent } from '@switchboard/telemetry';
import type { FastifyRequest } from 'fastify';

export type CommandFailure = Exclude<CommandReply<unknown>, { status: 'ok' }>;

/** A command the core refused or could not take; each dialect renders it in its own error format. */
export class CommandFailedError extends Error {
  constructor(readonly failure: CommandFailure) {
    super(failure.message);
    this.name = 'CommandFailedError';
  }
}

/** The HTTP status of a command's failure, the same in every dialect (each words it its own way). */
export function httpStatusOf(failure: CommandFailure): number {
  switch (failure.status) {
    case 'rejected':
      return failure.code === 'forbidden' ? 403 : failure.code === 'internal' ? 500 : 400;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'unavailable':
      return 503;
    default: {
      const never: never = failure;
      return never;
    }
  }
}

export interface CommandSender {
  send<R = Record<string, unknown>>(
    request: FastifyRequest,
    command: { tenant: string; aggregate: string; type: string; payload: unknown; actor?: string },
  ): Promise<R>;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The one way the gateway changes anything: a command over NATS request/reply, then — for
 * read-your-writes — a bounded wait until the projector has the command's events.
 */
export function createCommandSender(deps: {
  bus: Bus;
  waiter: ProjectionWaiter;
  timeoutMs: number;
  readYourWritesTimeoutMs: number;
  /** Told after a command on a client's own aggregate succeeded and its read-your-writes wait ended. */
  onClientChanged?: (clientId: string) => void;
}): CommandSender {
  return {
    async send(request, command) {
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' && IDEMPOTENCY_KEY.test(key) ? key : undefined;
      const envelope: CommandEnvelope<unknown> = {
        // A retried request with the same key is the same command: the store returns the first result.
        commandId: idempotencyKey ? `${command.tenant}:${command.type}:${idempotencyKey}` : randomUUID(),
        type: command.type,
        tenant: command.tenant,
        payload: command.payload,
        metadata: {
          correlationId: request.id,
          actor: command.actor,
          traceparent: currentTraceparent(),
          idempotencyKey,
        },
      };
      const subject = deps.bus.names.command(command.tenant, command.aggregate, command.type);
      const reply = await deps.bus.request<Record<string, unknown>>(subject, envelope, {
        timeoutMs: deps.timeoutMs,
      });
      if (reply.status !== 'ok') throw new CommandFailedError(reply);
      const position = reply.result.position as { commit: string; prepare: string } | undefined;
      if (position) {
        const target: Position = { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
        await deps.waiter.waitFor(target, deps.readYourWritesTimeoutMs);
      }
      if (command.aggregate === 'client') deps.onClientChanged?.(command.tenant);
      return reply.result as never;
    },
  };
}
