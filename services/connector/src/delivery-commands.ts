import { randomUUID } from 'node:crypto';
import type { Bus, CommandEnvelope, CommandReply } from '@switchboard/bus';
import { commandAggregate, type DeliveryCommand } from '@switchboard/contracts';
import { currentTraceparent } from '@switchboard/telemetry';

/** Why a delivery command was sent: the event it answers, for the events' correlation and causation. */
export interface Cause {
  eventId: string;
  correlationId: string;
}

/**
 * The connector's writes: delivery commands over NATS request/reply to the command handler. One
 * command id per command, kept across the retries of an unavailable handler, so a retry whose first
 * attempt did land answers that attempt's result and appends nothing.
 */
export class DeliveryCommands {
  constructor(
    private readonly bus: Bus,
    private readonly actor: string,
    private readonly timeoutMs: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly attempts = 5,
  ) {}

  async send<R = Record<string, unknown>>(command: DeliveryCommand, cause: Cause): Promise<CommandReply<R>> {
    const tenant = command.data.clientId;
    const envelope: CommandEnvelope = {
      commandId: randomUUID(),
      type: command.type,
      tenant,
      payload: command.data,
      metadata: {
        correlationId: cause.correlationId,
        causationId: cause.eventId,
        actor: this.actor,
        ...(currentTraceparent() === undefined ? {} : { traceparent: currentTraceparent() }),
      },
    };
    const subject = this.bus.names.command(tenant, commandAggregate[command.type], command.type);
    let reply: CommandReply<R> = { status: 'unavailable', message: 'not sent' };
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      reply = await this.bus.request<R>(subject, envelope, { timeoutMs: this.timeoutMs });
      if (reply.status !== 'unavailable') return reply;
      if (attempt < this.attempts) await this.sleep(200 * 2 ** (attempt - 1));
    }
    return reply;
  }
}
