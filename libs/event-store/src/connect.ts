import postgres from 'postgres';

/**
 * Session settings for the store's connections. `$all` readers cannot pass a transaction that is still
 * open anywhere in the cluster, so a session left idle inside a transaction is ended by the server
 * rather than stalling every subscriber.
 */
export const eventStoreConnectionParameters = {
  idle_in_transaction_session_timeout: 30_000,
} as const;

/** A pool with the store's session settings (the caller ends it). */
export function connectEventStore(
  databaseUrl: string,
  options: postgres.Options<Record<string, postgres.PostgresType>> = {},
): postgres.Sql {
  return postgres(databaseUrl, {
    onnotice: () => {},
    ...options,
    connection: { ...eventStoreConnectionParameters, ...options.connection },
  });
}
