import { type Command, type CommandType, commandAggregate, type DomainEvent } from '@switchboard/contracts';
import { describe, expect, it } from 'vitest';
import { foldState, handle } from './decider.js';
import { deciderFor, deciders } from './deciders.js';
import { specNow } from './testing/decider-spec.js';
import { ids, tokenHashA } from './testing/fixtures.js';

const ctx = { now: specNow };

describe('deciderFor', () => {
  it('gives each command type the decider of its aggregate', () => {
    for (const [type, aggregate] of Object.entries(commandAggregate)) {
      expect(deciderFor(type as CommandType), type).toBe(deciders[aggregate]);
    }
  });

  it('runs a whole stream generically: create, then act on what was created', () => {
    const createClient: Command = {
      type: 'CreateClient',
      data: { clientId: ids.client, tokenHash: tokenHashA },
    };
    const rename: Command = { type: 'RenameClient', data: { clientId: ids.client, name: 'Acme' } };
    const stream: DomainEvent[] = [];
    for (const command of [createClient, rename]) {
      stream.push(...handle(deciderFor(command.type), command, stream, ctx));
    }
    expect(stream.map((event) => event.type)).toEqual(['ClientCreated', 'ClientRenamed']);
    expect(foldState(deciderFor('RenameClient'), stream)).toMatchObject({ status: 'active', name: 'Acme' });
  });
});
