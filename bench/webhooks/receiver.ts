/**
 * The webhook benchmark's receiver: a client backend that answers 200 at once, run as its own process
 * (bench/lib/webhooks.ts starts it). POST /webhook is what the dispatcher and the bare loop post to;
 * it counts every request and, for message events (or every request, for the bare loop), the
 * distinct event ids and the times of the first and last one. GET /stats reads the counts, POST
 * /reset zeroes them. Prints `receiver ready <port>` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const wallNow = () => performance.timeOrigin + performance.now();

let counts = fresh();
function fresh() {
  return {
    requests: 0,
    /** Requests that count: message events from the dispatcher, or any from the bare loop. */
    counted: 0,
    unique: new Set<string>(),
    firstAt: 0,
    lastAt: 0,
    sample: null as null | { headers: Record<string, string>; body: string },
  };
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    const { unique, ...rest } = counts;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...rest, unique: unique.size }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    counts = fresh();
    res.writeHead(204).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200).end();
    counts.requests++;
    const type = String(req.headers['x-switchboard-event-type'] ?? '');
    const bare = req.headers['x-bench-bare'] === '1';
    if (!bare && !type.startsWith('message.')) return;
    const at = wallNow();
    if (counts.counted === 0) counts.firstAt = at;
    counts.lastAt = at;
    counts.counted++;
    // The bare loop repeats one delivery's headers: each of its requests counts as distinct.
    counts.unique.add(bare ? String(counts.counted) : String(req.headers['x-switchboard-event-id']));
    if (!bare && !counts.sample) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
      }
      counts.sample = { headers, body: Buffer.concat(chunks).toString('utf8') };
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`receiver ready ${(server.address() as AddressInfo).port}`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
