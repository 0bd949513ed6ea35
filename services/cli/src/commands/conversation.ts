import {
  diffStates,
  parseReplayPoint,
  type Replay,
  type ReplayPoint,
  recordedEventJson,
  replayStream,
  type StateChange,
} from '@switchboard/replay';
import { type Command, InvalidArgumentError } from 'commander';
import { withDatabase } from '../database.js';
import { formatTable } from '../format/table.js';
import type { CliIo } from '../io.js';
import { parseUuid } from './arguments.js';

const parsePoint = (value: string): ReplayPoint => {
  try {
    return parseReplayPoint(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
};

const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));

const changeLine = (c: StateChange) => `    ${c.path}: ${show(c.before)} → ${show(c.after)}`;

/** `switchboard conversation replay`: a conversation's state at any point, folded from its events. */
export function registerConversationCommands(program: Command, io: CliIo): void {
  const conversation = program.command('conversation').description("Replay a conversation's events");
  const databaseUrl = () => program.opts<{ databaseUrl?: string }>().databaseUrl;

  conversation
    .command('replay')
    .description(
      'The state as of a revision or a time (default: now), folded with the command handler’s own evolve',
    )
    .argument('<conversationId>', 'conversation id (UUID)', parseUuid)
    .option('--at <revision|time>', 'a revision (0 = first event) or an ISO 8601 time', parsePoint)
    .option('--step', 'print each event and what it changed in the state')
    .option('--json', 'print JSON (with --step: one line per event)')
    .action(async (id: string, options: { at?: ReplayPoint; step?: boolean; json?: boolean }) => {
      const replay = await withDatabase(io, databaseUrl(), ({ store }) =>
        replayStream(store, `conversation-${id}`, {
          ...(options.at ? { at: options.at } : {}),
          steps: options.step === true,
        }),
      );
      if (options.step) printSteps(io, replay, options.json === true);
      else printState(io, replay, options.json === true);
    });
}

function printState(io: CliIo, replay: Replay, json: boolean): void {
  if (json) {
    io.out(
      JSON.stringify({
        stream: replay.stream,
        revision: replay.revision?.toString() ?? null,
        state: replay.state,
      }),
    );
    return;
  }
  io.out(
    replay.revision === null
      ? `${replay.stream}: before its first event`
      : `${replay.stream} at revision ${replay.revision}`,
  );
  const state = replay.state as Record<string, unknown>;
  io.out(
    formatTable(
      io,
      ['FIELD', 'VALUE'],
      Object.entries(state).map(([k, v]) => [k, show(v)]),
    ),
  );
}

function printSteps(io: CliIo, replay: Replay, json: boolean): void {
  let before = replay.initialState;
  for (const { event, state } of replay.steps) {
    const changes = diffStates(before, state);
    before = state;
    if (json) {
      io.out(JSON.stringify({ event: recordedEventJson(event), changes, state }));
      continue;
    }
    io.out(`#${event.revision}  ${event.created.toISOString()}  ${event.type}`);
    io.out(changes.length === 0 ? '    (no change)' : changes.map(changeLine).join('\n'));
  }
  if (!json && replay.steps.length === 0) io.err(`${replay.stream}: no event up to that point`);
}
