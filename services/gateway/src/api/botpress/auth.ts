import { timingSafeEqual } from 'node:crypto';
import type { ClientRow } from '@switchboard/read-models';
import type { FastifyRequest } from 'fastify';
import { clientWithCredentials } from '../../client-credentials.js';
import { HttpError } from './errors.js';

export interface ClientAuth {
  /** The authenticated client: the tenant every command and query of the request is scoped to. */
  clientId(request: FastifyRequest): Promise<string>;
  isAdmin(request: FastifyRequest): boolean;
  requireAdmin(request: FastifyRequest): void;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

export function createClientAuth(
  findClient: (id: string) => Promise<ClientRow | null>,
  adminKey: string,
): ClientAuth {
  const admin = Buffer.from(adminKey);
  const isAdmin = (request: FastifyRequest) => {
    const given = header(request, 'x-bp-messaging-admin-key');
    const bearer = header(request, 'authorization')?.replace(/^Bearer\s+/i, '');
    return [given, bearer].some((k) => {
      if (!k) return false;
      const b = Buffer.from(k);
      return b.length === admin.length && timingSafeEqual(b, admin);
    });
  };
  return {
    isAdmin,
    requireAdmin(request) {
      if (!isAdmin(request)) throw new HttpError(401, 'a valid x-bp-messaging-admin-key is required');
    },
    async clientId(request) {
      const id = header(request, 'x-bp-messaging-client-id');
      const token = header(request, 'x-bp-messaging-client-token');
      if (!id || !token) {
        throw new HttpError(
          401,
          'x-bp-messaging-client-id and x-bp-messaging-client-token headers are required',
        );
      }
      const client = await clientWithCredentials(findClient, id, token);
      if (!client) throw new HttpError(401, 'invalid client credentials');
      return client.id;
    },
  };
}
