import type { Bus } from '@switchboard/bus';
import type { SecretBox } from '@switchboard/crypto';
import type { EventStore } from '@switchboard/event-store';
import type { ClientRow } from '@switchboard/read-models';
import type { Logger } from '@switchboard/telemetry';
import type postgres from 'postgres';
import type { CommandSender } from './commands.js';
import type { GatewayConfig } from './config.js';

/** What every route may use: one way in (commands), one way out (read-model queries over `sql`). */
export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  bus: Bus;
  sql: postgres.Sql;
  /** Read-only use: the admin API replays streams for debugging; a collect call reads its replies. */
  store: EventStore;
  secrets: SecretBox;
  commands: CommandSender;
  /** A client as the read model has it, briefly cached (see client-cache.ts): for authentication. */
  findClient(id: string): Promise<ClientRow | null>;
  readiness(): Promise<Record<string, boolean>>;
}
