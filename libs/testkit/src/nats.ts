import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { testNatsUrl } from './env.js';

export interface TestNats {
  readonly url: string;
  /** A namespace no other test uses: prefix of every stream name and subject the test creates. */
  readonly namespace: string;
  readonly nc: NatsConnection;
  /** Deletes the namespace's streams and closes the connection. */
  close(): Promise<void>;
}

export async function createTestNats(): Promise<TestNats> {
  const url = testNatsUrl();
  const nc = await connect({ servers: url, name: 'switchboard-test' });
  const namespace = `t${randomBytes(5).toString('hex')}`;
  return {
    url,
    namespace,
    nc,
    async close() {
      const jsm = await jetstreamManager(nc);
      for await (const name of jsm.streams.names()) {
        if (name.startsWith(`${namespace.toUpperCase()}_`) || name.startsWith(`${namespace}_`)) {
          await jsm.streams.delete(name);
        }
      }
      await nc.drain();
    },
  };
}
