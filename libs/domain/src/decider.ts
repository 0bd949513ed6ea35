/** What a decision may depend on besides the command and the state: only the time, passed in. */
export interface DecideContext {
  now: Date;
}

/**
 * An aggregate's rules as three pure functions: the state before anything happened, the events a
 * command produces in a state (or a `DomainError`), and the state after an event. Ids a command
 * creates are inside the command, so the same inputs always give the same events.
 */
export interface Decider<C, E, S> {
  initialState(): S;
  decide(command: C, state: S, ctx: DecideContext): E[];
  evolve(state: S, event: E): S;
}

/** The state after the given events, from the initial state. */
export function foldState<C, E, S>(decider: Decider<C, E, S>, events: Iterable<E>): S {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** Decides a command against a stream's past events: the new events to append. */
export function handle<C, E, S>(
  decider: Decider<C, E, S>,
  command: C,
  pastEvents: Iterable<E>,
  ctx: DecideContext,
): E[] {
  return decider.decide(command, foldState(decider, pastEvents), ctx);
}
