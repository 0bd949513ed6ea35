import { recordedEventJson } from '@switchboard/replay';
import { type Command, InvalidArgumentError } from 'commander';
import { withDatabase } from '../database.js';
import { actorOf, causationOf, summarizeData } from '../format/event-summary.js';
import { formatPosition } from '../format/position.js';
import { formatTable } from '../format/table.js';
import { type CliIo, NotFoundError } from '../io.js';
import { parsePositive } from './arguments.js';

const parseCorrelationId = (value: string): string => {
  if (value.length === 0 || value.length > 200 || /\s/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a correlation id`);
  return value;
};

/** `switchboard trace`: everything one request caused, across streams, in `$all` order. */
export function registerTraceCommand(program: Command, io: CliIo): void {
  const databaseUrl = () => program.opts<{ databaseUrl?: string }>().databaseUrl;
  program
    .command('trace')
    .description('Every event recorded with a correlation id, across streams, in global order')
    .argument('<correlationId>', 'the correlation id (events carry it in their metadata)', parseCorrelationId)
    .option('--limit <n>', 'at most this many events', parsePositive, 10_000)
    .option('--json', 'print each recorded event as one line of JSON (for jq)')
    .action(async (correlationId: string, options: { limit: number; json?: boolean }) => {
      const events = await withDatabase(io, databaseUrl(), ({ store }) =>
        store.readCorrelated(correlationId, { maxCount: options.limit }),
      );
      if (events.length === 0) throw new NotFoundError(`no event has correlation id "${correlationId}"`);
      if (options.json) {
        for (const event of events) io.out(JSON.stringify(recordedEventJson(event)));
        return;
      }
      io.out(
        formatTable(
          io,
          ['POSITION', 'TIME', 'STREAM', 'REV', 'TYPE', 'CAUSATION', 'ACTOR', 'DATA'],
          events.map((e) => [
            formatPosition(e.position),
            e.created.toISOString(),
            e.streamName,
            String(e.revision),
            e.type,
            causationOf(e),
            actorOf(e),
            summarizeData(e, 60),
          ]),
        ),
      );
    });
}
