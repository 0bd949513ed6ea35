import { randomUUID } from 'node:crypto';

export interface CommandMetadata {
  correlationId: string;
  causationId?: string;
  actor?: string;
  /** W3C traceparent of the caller, kept so the events the command produces continue its trace. */
  traceparent?: string;
  idempotencyKey?: string;
}

export interface CommandEnvelope<P = unknown> {
  /** Identifies the command for idempotency: a retry with the same id returns the first result. */
  commandId: string;
  type: string;
  tenant: string;
  payload: P;
  metadata: CommandMetadata;
}

export type CommandReply<R = unknown> =
  | { status: 'ok'; result: R }
  | { status: 'rejected'; code: string; message: string; details?: unknown }
  | { status: 'not_found'; message: string }
  | { status: 'conflict'; message: string; details?: unknown }
  | { status: 'unavailable'; message: string };

export type CommandReplyStatus = CommandReply['status'];

const REPLY_STATUSES: ReadonlySet<string> = new Set<CommandReplyStatus>([
  'ok',
  'rejected',
  'not_found',
  'conflict',
  'unavailable',
]);

export class MalformedMessageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedMessageError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new MalformedMessageError('payload is not UTF-8 JSON', { cause: err });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** Decodes and checks the envelope's shape; the payload itself is the handler's to validate. */
export function decodeCommandEnvelope<P = unknown>(data: Uint8Array): CommandEnvelope<P> {
  const value = decodeJson(data);
  if (!isRecord(value)) throw new MalformedMessageError('command envelope is not an object');
  const { commandId, type, tenant, metadata } = value;
  for (const [field, v] of [
    ['commandId', commandId],
    ['type', type],
    ['tenant', tenant],
  ] as const) {
    if (typeof v !== 'string' || v === '') {
      throw new MalformedMessageError(`command envelope: '${field}' must be a non-empty string`);
    }
  }
  if (!('payload' in value)) throw new MalformedMessageError(`command envelope: 'payload' is missing`);
  if (!isRecord(metadata) || typeof metadata.correlationId !== 'string' || metadata.correlationId === '') {
    throw new MalformedMessageError(`command envelope: 'metadata.correlationId' must be a non-empty string`);
  }
  for (const field of ['causationId', 'actor', 'traceparent', 'idempotencyKey'] as const) {
    if (!optionalString(metadata[field])) {
      throw new MalformedMessageError(`command envelope: 'metadata.${field}' must be a string`);
    }
  }
  return value as unknown as CommandEnvelope<P>;
}

export function decodeCommandReply<R = unknown>(data: Uint8Array): CommandReply<R> {
  const value = decodeJson(data);
  if (!isRecord(value) || typeof value.status !== 'string' || !REPLY_STATUSES.has(value.status)) {
    throw new MalformedMessageError('command reply has no known status');
  }
  if (value.status !== 'ok' && typeof value.message !== 'string') {
    throw new MalformedMessageError(`command reply '${value.status}' has no message`);
  }
  if (value.status === 'rejected' && typeof value.code !== 'string') {
    throw new MalformedMessageError(`command reply 'rejected' has no code`);
  }
  return value as unknown as CommandReply<R>;
}

export interface NewCommand<P> {
  type: string;
  tenant: string;
  payload: P;
  /** Defaults to a fresh UUID; pass the client's Idempotency-Key derived id to make retries idempotent. */
  commandId?: string;
  metadata?: Partial<CommandMetadata>;
}

/** An envelope with the ids filled in: the command id, and a correlation id when none is carried. */
export function commandEnvelope<P>(command: NewCommand<P>): CommandEnvelope<P> {
  const commandId = command.commandId ?? randomUUID();
  return {
    commandId,
    type: command.type,
    tenant: command.tenant,
    payload: command.payload,
    metadata: { ...command.metadata, correlationId: command.metadata?.correlationId ?? commandId },
  };
}
