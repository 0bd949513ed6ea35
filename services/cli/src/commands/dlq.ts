import {
  type DeliveryDetail,
  type DeliverySummary,
  getDelivery,
  listDeliveries,
  type RedriveTarget,
  redriveDeliveries,
} from '@switchboard/webhook-dispatcher';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { withDatabase } from '../database.js';
import { formatTable } from '../format/table.js';
import { type CliIo, NotFoundError, UsageError } from '../io.js';
import { parsePositive, parseUuid } from './arguments.js';

const DAY_MS = 24 * 60 * 60_000;

const parseTime = (value: string): Date => {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('expected an ISO-8601 time');
  return at;
};
const parseDeliveryId = (value: string): string => {
  if (!/^[0-9]{1,18}$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a delivery id`);
  return value;
};

interface SelectionOptions {
  webhook?: string;
  client?: string;
  since?: Date;
  until?: Date;
  status: 'dead' | 'failed';
}

const selectionOptions = (command: Command): Command =>
  command
    .option('--webhook <id>', "only this webhook's deliveries", parseUuid)
    .option('--client <id>', "only this client's deliveries", parseUuid)
    .option('--since <time>', 'only events recorded at or after this time (ISO-8601)', parseTime)
    .option('--until <time>', 'only events recorded before this time (ISO-8601)', parseTime)
    .addOption(
      new Option('--status <status>', 'dead letters, or deliveries failed without retry')
        .choices(['dead', 'failed'])
        .default('dead'),
    );

/** `switchboard dlq …`: webhook deliveries that were dead-lettered (or failed), and their re-drive. */
export function registerDlqCommands(program: Command, io: CliIo): void {
  const dlq = program
    .command('dlq')
    .description('Webhook dead letters: deliveries retried for the whole retry window without success');
  const databaseUrl = () => program.opts<{ databaseUrl?: string }>().databaseUrl;

  selectionOptions(dlq.command('list').description('List dead letters, newest first'))
    .option('--limit <n>', 'at most this many', parsePositive, 100)
    .option('--json', 'print JSON')
    .action(async (options: SelectionOptions & { limit: number; json?: boolean }) => {
      const found = await withDatabase(io, databaseUrl(), ({ sql }) =>
        listDeliveries(sql, {
          status: options.status,
          webhookId: options.webhook,
          clientId: options.client,
          since: options.since,
          until: options.until,
          limit: options.limit,
        }),
      );
      if (options.json) io.out(JSON.stringify(found, null, 2));
      else io.out(table(io, found));
    });

  dlq
    .command('show')
    .description('Show one delivery: its event body and every attempt')
    .argument('<deliveryId>', 'delivery id', parseDeliveryId)
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const found = await withDatabase(io, databaseUrl(), ({ sql }) => getDelivery(sql, id));
      if (!found) throw new NotFoundError(`no delivery ${id}`);
      if (options.json) io.out(JSON.stringify(found, null, 2));
      else io.out(details(found));
    });

  selectionOptions(
    dlq
      .command('redrive')
      .description(
        'Put dead letters back to pending, each with a fresh retry window: the given ids, or every one ' +
          'matching --webhook/--client/--since/--until, or --all',
      )
      .argument('[deliveryIds...]', 'delivery ids (dead or failed)'),
  )
    .option('--all', 'every dead letter (required when nothing else selects)')
    .option(
      '--window <ms>',
      'retry window of the re-driven deliveries (default: $WEBHOOK_RETRY_WINDOW_MS or 24 h)',
      parsePositive,
    )
    .action(async (ids: string[], options: SelectionOptions & { all?: boolean; window?: number }) => {
      const byFilter = options.webhook || options.client || options.since || options.until;
      if (ids.length > 0 && (byFilter || options.all)) {
        throw new UsageError('give delivery ids, or selection options, not both');
      }
      if (ids.length === 0 && !byFilter && !options.all) {
        throw new UsageError(
          'nothing selected: give delivery ids, --webhook, --client, --since/--until, or --all',
        );
      }
      const target: RedriveTarget =
        ids.length > 0
          ? { ids: ids.map(parseDeliveryId) }
          : {
              status: options.status,
              filter: {
                webhookId: options.webhook,
                clientId: options.client,
                since: options.since,
                until: options.until,
              },
            };
      const windowMs = options.window ?? (Number(io.env.WEBHOOK_RETRY_WINDOW_MS) || DAY_MS);
      const redriven = await withDatabase(io, databaseUrl(), ({ sql }) =>
        redriveDeliveries(sql, target, windowMs),
      );
      io.out(`re-driven: ${redriven.length}${redriven.length > 0 ? ` (${redriven.join(', ')})` : ''}`);
    });
}

function table(io: CliIo, rows: DeliverySummary[]): string {
  if (rows.length === 0) return 'no deliveries';
  return formatTable(
    io,
    ['ID', 'STATUS', 'ATTEMPTS', 'LAST', 'EVENT', 'WEBHOOK', 'URL', 'RECORDED', 'ERROR'],
    rows.map((d) => [
      d.id,
      d.status,
      String(d.attemptCount),
      d.lastStatusCode === null ? '-' : String(d.lastStatusCode),
      d.eventType,
      d.webhookId,
      d.url,
      d.createdAt.toISOString(),
      (d.lastError ?? '').slice(0, 60),
    ]),
  );
}

function details(d: DeliveryDetail): string {
  const lines = [
    `delivery ${d.id}: ${d.status} after ${d.attemptCount} attempt(s)`,
    `event    ${d.eventId} (${d.eventType}), recorded ${d.createdAt.toISOString()}`,
    `webhook  ${d.webhookId} ${d.url}`,
    `deadline ${d.deadlineAt.toISOString()}`,
    'attempts:',
    ...d.attempts.map(
      (a) =>
        `  #${a.attempt} ${a.startedAt.toISOString()} ${a.outcome} ${a.statusCode ?? '-'} ${a.latencyMs} ms` +
        `${a.error ? ` ${a.error}` : ''}`,
    ),
    'body:',
    `  ${d.body}`,
  ];
  return lines.join('\n');
}
