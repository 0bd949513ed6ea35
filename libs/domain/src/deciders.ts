import {
  type Command,
  type CommandType,
  commandAggregate,
  type DomainEvent,
  type StreamCategory,
} from '@switchboard/contracts';
import { broadcastDecider } from './broadcast/broadcast-decider.js';
import { clientDecider } from './client/client-decider.js';
import { conversationDecider } from './conversation/conversation-decider.js';
import type { Decider } from './decider.js';
import { deliveryDecider } from './delivery/delivery-decider.js';
import { recipientDecider } from './recipient/recipient-decider.js';
import { userDecider } from './user/user-decider.js';

/** The decider of each aggregate, by stream category. */
export const deciders = {
  client: clientDecider,
  user: userDecider,
  conversation: conversationDecider,
  delivery: deliveryDecider,
  broadcast: broadcastDecider,
  recipient: recipientDecider,
} as const satisfies Record<StreamCategory, unknown>;

/** A decider seen through the whole catalogue, for code that runs any of them (handler, replay). */
export type AnyDecider = Decider<Command, DomainEvent, unknown>;

/**
 * The decider for a command's aggregate. The widening is sound because `commandAggregate` routes each
 * command to the decider of its own aggregate, which is also the one whose events are in its stream.
 */
export function deciderFor(commandType: CommandType): AnyDecider {
  return deciders[commandAggregate[commandType]] as unknown as AnyDecider;
}
