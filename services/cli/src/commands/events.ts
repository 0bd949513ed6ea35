import { isEventType } from '@switchboard/contracts';
import type { Position, RecordedEvent } from '@switchboard/event-store';
import { recordedEventJson, streamEvents } from '@switchboard/replay';
import type { Command } from 'commander';
import { withDatabase } from '../database.js';
import { actorOf, causationOf, correlationOf, summarizeData } from '../format/event-summary.js';
import { formatPosition, parseFromPosition } from '../format/position.js';
import { formatTable, StreamingTable } from '../format/table.js';
import { type CliIo, UsageError } from '../io.js';
import { collect, parsePositive, parseRevision, parseStreamName, parseUuid } from './arguments.js';

const timelineHeader = ['REV', 'TIME', 'TYPE', 'ACTOR', 'CORRELATION', 'CAUSATION', 'DATA'];
const timelineRow = (e: RecordedEvent) => [
  String(e.revision),
  e.created.toISOString(),
  e.type,
  actorOf(e),
  correlationOf(e),
  causationOf(e),
  summarizeData(e),
];

const tailHeader = ['POSITION', 'TIME', 'STREAM', 'REV', 'TYPE', 'CORRELATION', 'DATA'];
const tailWidths = [12, 24, 48, 3, 20, 12, 0];
const tailRow = (e: RecordedEvent) => [
  formatPosition(e.position),
  e.created.toISOString(),
  e.streamName,
  String(e.revision),
  e.type,
  correlationOf(e),
  summarizeData(e),
];

/** `switchboard events …`: a stream as a timeline, and `$all` followed live. */
export function registerEventsCommands(program: Command, io: CliIo): void {
  const events = program.command('events').description('Read the event store: one stream, or $all live');
  const databaseUrl = () => program.opts<{ databaseUrl?: string }>().databaseUrl;

  events
    .command('read')
    .description("A stream's events as a timeline, oldest first (e.g. conversation-<id>)")
    .argument('<stream>', 'stream name', parseStreamName)
    .option('--from <revision>', 'first revision to show (0 = the first event)', parseRevision, 0n)
    .option('--limit <n>', 'at most this many events (default: all)', parsePositive)
    .option('--json', 'print each recorded event as one line of JSON (for jq)')
    .action(async (stream: string, options: { from: bigint; limit?: number; json?: boolean }) => {
      await withDatabase(io, databaseUrl(), async ({ store }) => {
        const rows: string[][] = [];
        for await (const event of streamEvents(store, stream, { from: options.from, limit: options.limit })) {
          if (options.json) io.out(JSON.stringify(recordedEventJson(event)));
          else rows.push(timelineRow(event));
        }
        if (options.json) return;
        if (rows.length === 0) io.err(`${stream} has no events from revision ${options.from}`);
        else io.out(formatTable(io, timelineHeader, rows));
      });
    });

  events
    .command('tail')
    .description('Follow $all live (Ctrl-C stops), optionally filtered')
    .option('--type <type>', 'only events of this type (repeatable)', collect)
    .option('--tenant <clientId>', "only this client's events", parseUuid)
    .option('--from <position>', 'start, end, or after <commit>/<prepare>', parseFromPosition, 'end')
    .option('--json', 'print each recorded event as one line of JSON (for jq)')
    .action(
      async (options: {
        type?: string[];
        tenant?: string;
        from: 'start' | 'end' | Position;
        json?: boolean;
      }) => {
        const unknown = (options.type ?? []).filter((t) => !isEventType(t));
        if (unknown.length > 0) {
          throw new UsageError(`unknown event type${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
        }
        await withDatabase(io, databaseUrl(), async ({ store }) => {
          const subscription = store.subscribeToAll({
            fromPosition: options.from,
            filter: {
              ...(options.type ? { eventTypes: options.type } : {}),
              ...(options.tenant ? { tenant: options.tenant } : {}),
            },
          });
          const stop = () => void subscription.close();
          if (io.signal.aborted) stop();
          io.signal.addEventListener('abort', stop, { once: true });
          const table = new StreamingTable(io, tailHeader, tailWidths);
          if (!options.json) table.printHeader();
          try {
            for await (const event of subscription) {
              if (options.json) io.out(JSON.stringify(recordedEventJson(event)));
              else table.print(tailRow(event));
            }
          } finally {
            io.signal.removeEventListener('abort', stop);
            await subscription.close();
          }
        });
      },
    );
}
