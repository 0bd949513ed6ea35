import { projectionNamed, projectionStatuses, rebuildOnline } from '@switchboard/read-models';
import type { Command } from 'commander';
import { withDatabase } from '../database.js';
import { formatPosition } from '../format/position.js';
import { formatTable } from '../format/table.js';
import type { CliIo } from '../io.js';
import { parsePositive } from './arguments.js';

const PROGRESS_EVERY = 10_000;

/** `switchboard projections …`: where each read model stands, and its rebuild without downtime. */
export function registerProjectionsCommands(program: Command, io: CliIo): void {
  const projections = program.command('projections').description('Read-model projections');
  const databaseUrl = () => program.opts<{ databaseUrl?: string }>().databaseUrl;

  projections
    .command('status')
    .description("Each projection's checkpoint against the head of $all, and its lag")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const statuses = await withDatabase(io, databaseUrl(), ({ sql, store }) =>
        projectionStatuses(sql, store),
      );
      if (options.json) {
        io.out(
          JSON.stringify(
            statuses.map((s) => ({
              ...s,
              checkpoint: s.checkpoint && formatPosition(s.checkpoint),
              head: s.head && formatPosition(s.head),
            })),
          ),
        );
        return;
      }
      io.out(
        formatTable(
          io,
          ['PROJECTION', 'CHECKPOINT', 'HEAD', 'LAG_EVENTS', 'LAG_SECONDS', 'UPDATED'],
          statuses.map((s) => [
            s.name,
            formatPosition(s.checkpoint),
            formatPosition(s.head),
            String(s.lagEvents),
            s.lagSeconds.toFixed(1),
            s.updatedAt?.toISOString() ?? '-',
          ]),
        ),
      );
    });

  projections
    .command('rebuild')
    .description(
      'Replay $all into fresh tables while the live ones keep serving, then switch atomically ' +
        '(the live projector pauses only for the switch and resumes from the rebuilt checkpoint)',
    )
    .argument('<name>', 'projection name (see `projections status`)')
    .option('--batch-size <n>', 'events per replayed transaction', parsePositive, 1000)
    .option('--keep-old', 'keep the replaced tables in schema rm_old_<ms> instead of dropping them')
    .action(async (name: string, options: { batchSize: number; keepOld?: boolean }) => {
      const projection = projectionNamed(name);
      const started = performance.now();
      let reported = 0;
      const result = await withDatabase(
        io,
        databaseUrl(),
        ({ sql, store }) =>
          rebuildOnline(sql, store, {
            projection,
            batchSize: options.batchSize,
            keepOld: options.keepOld === true,
            onProgress: ({ phase, position, replayed }) => {
              if (phase === 'replaying' && replayed - reported < PROGRESS_EVERY) return;
              reported = replayed;
              io.err(`${phase}: ${replayed} events, at ${formatPosition(position)}`);
            },
          }),
        // the rebuild's lock, its writes, and the store's reads
        { connections: 4 },
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.out(
        `rebuilt ${projection.name}: ${result.replayed} events in ${seconds} s, now at ` +
          `${formatPosition(result.position)}${result.keptSchema ? `; old tables kept in ${result.keptSchema}` : ''}`,
      );
    });
}
