/** A token NATS would split, treat as a wildcard, or refuse: `.`, `*`, `>`, whitespace, control chars. */
const FORBIDDEN_IN_TOKEN = /[.*>\s\p{Cc}]/u;

export class InvalidSubjectTokenError extends Error {
  constructor(
    readonly role: string,
    readonly value: string,
  ) {
    super(
      `invalid ${role} ${JSON.stringify(value)}: a subject token must be non-empty and contain no '.', '*', '>' or whitespace`,
    );
    this.name = 'InvalidSubjectTokenError';
  }
}

/** Returns the token unchanged, or throws when it would change the shape of the subject it goes into. */
export function subjectToken(role: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || FORBIDDEN_IN_TOKEN.test(value)) {
    throw new InvalidSubjectTokenError(role, String(value));
  }
  return value;
}

export interface StreamNames {
  /** Distribution log of every stored event (`evt.>`), fed by the relay only. */
  readonly events: string;
  /** Work queue of normalized inbound channel traffic (`inbox.>`). */
  readonly inbox: string;
  /** Dead letters of every consumer (`dlq.>`). */
  readonly dlq: string;
  /** Durable capture of the server's max-deliveries and terminated advisories. */
  readonly advisories: string;
}

export interface BusNames {
  /** '' in production; a unique lowercase prefix in tests. */
  readonly namespace: string;
  readonly streams: StreamNames;
  /** `cmd.<tenant>.<aggregate>.<Command>` */
  command(tenant: string, aggregate: string, commandType: string): string;
  /** `cmd.>` or, for one tenant, `cmd.<tenant>.>` */
  commands(tenant?: string): string;
  /** `evt.<tenant>.<category>.<id>.<Type>` */
  event(tenant: string, category: string, streamId: string, type: string): string;
  /** `evt.>` or, for one tenant, `evt.<tenant>.>` */
  events(tenant?: string): string;
  /** `inbox.<tenant>.<channel>` */
  inbox(tenant: string, channel: string): string;
  /** `inbox.>` or, for one tenant, `inbox.<tenant>.>` */
  inboxes(tenant?: string): string;
  /** `sig.<tenant>.conversation.<id>.<kind>` (core NATS only, never stored) */
  signal(tenant: string, conversationId: string, kind: string): string;
  /** `sig.>` or, for one tenant, `sig.<tenant>.>` */
  signals(tenant?: string): string;
  /** `dlq.<stream>.<consumer>`: where a consumer's dead letters are kept. */
  deadLetter(stream: string, consumer: string): string;
  /** `dlq.>`, `dlq.<stream>.>` or `dlq.<stream>.<consumer>` */
  deadLetters(stream?: string, consumer?: string): string;
}

/**
 * Stream names and subject builders. With a namespace `ns`, streams are `NS_EVENTS` … and every subject
 * starts with `ns.`, so that tests (and side-by-side installs) never see each other's traffic.
 */
export function busNames(namespace = ''): BusNames {
  if (namespace !== '') subjectToken('namespace', namespace);
  if (namespace !== '' && !/^[A-Za-z0-9_-]+$/.test(namespace)) {
    // Stream names are built from it too, and those allow less than subjects.
    throw new InvalidSubjectTokenError('namespace', namespace);
  }
  const streamPrefix = namespace === '' ? '' : `${namespace.toUpperCase()}_`;
  const subjectPrefix = namespace === '' ? '' : `${namespace}.`;
  const subject = (...tokens: string[]): string => subjectPrefix + tokens.join('.');
  const wildcard = (root: string, tenant?: string): string =>
    tenant === undefined ? subject(root, '>') : subject(root, subjectToken('tenant', tenant), '>');

  return {
    namespace,
    streams: {
      events: `${streamPrefix}EVENTS`,
      inbox: `${streamPrefix}INBOX`,
      dlq: `${streamPrefix}DLQ`,
      advisories: `${streamPrefix}ADVISORIES`,
    },
    command: (tenant, aggregate, commandType) =>
      subject(
        'cmd',
        subjectToken('tenant', tenant),
        subjectToken('aggregate', aggregate),
        subjectToken('command type', commandType),
      ),
    commands: (tenant) => wildcard('cmd', tenant),
    event: (tenant, category, streamId, type) =>
      subject(
        'evt',
        subjectToken('tenant', tenant),
        subjectToken('category', category),
        subjectToken('stream id', streamId),
        subjectToken('event type', type),
      ),
    events: (tenant) => wildcard('evt', tenant),
    inbox: (tenant, channel) =>
      subject('inbox', subjectToken('tenant', tenant), subjectToken('channel', channel)),
    inboxes: (tenant) => wildcard('inbox', tenant),
    signal: (tenant, conversationId, kind) =>
      subject(
        'sig',
        subjectToken('tenant', tenant),
        'conversation',
        subjectToken('conversation id', conversationId),
        subjectToken('signal kind', kind),
      ),
    signals: (tenant) => wildcard('sig', tenant),
    deadLetter: (stream, consumer) =>
      subject('dlq', subjectToken('stream', stream), subjectToken('consumer', consumer)),
    deadLetters: (stream, consumer) => {
      if (stream === undefined) return subject('dlq', '>');
      if (consumer === undefined) return subject('dlq', subjectToken('stream', stream), '>');
      return subject('dlq', subjectToken('stream', stream), subjectToken('consumer', consumer));
    },
  };
}
