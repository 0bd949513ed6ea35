import { createTestNats, type TestNats } from '@switchboard/testkit';
import { type Bus, connectBus } from './bus.js';

/** A bus in a fresh test namespace (streams `<NS>_…`, subjects `<ns>.…`); `close()` removes them. */
export interface TestBus {
  readonly nats: TestNats;
  readonly bus: Bus;
  /** Another connection in the same namespace, as a second service replica would have. */
  connectAnother(name: string): Promise<Bus>;
  close(): Promise<void>;
}

export async function openTestBus(name = 'bus-test'): Promise<TestBus> {
  const nats = await createTestNats();
  const others: Bus[] = [];
  const open = (n: string) => connectBus({ servers: nats.url, name: n, namespace: nats.namespace });
  const bus = await open(name);
  return {
    nats,
    bus,
    async connectAnother(n) {
      const other = await open(n);
      others.push(other);
      return other;
    },
    async close() {
      for (const b of [...others, bus]) await b.close();
      await nats.close();
    },
  };
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolver, for handlers the test releases. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
