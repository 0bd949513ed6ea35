/** How often a long handler tells the server it is still at work: well within any ack wait we use. */
export const WORKING_EVERY_MS = 5_000;

/**
 * Runs a long piece of work on a JetStream message, telling the server every `everyMs` that the
 * message is still being worked on, so that it is not handed to another consumer when its ack wait
 * runs out meanwhile.
 */
export async function keepWorking<T>(
  msg: { working(): void },
  work: () => Promise<T>,
  everyMs = WORKING_EVERY_MS,
): Promise<T> {
  const timer = setInterval(() => msg.working(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
