import type { Endpoint } from '@switchboard/contracts';

/** Fixed ids and secrets for specs; the sealed values only need the sealed-secret shape. */
export const ids = {
  client: '0b5e1a3c-8d2f-4c47-9a61-2f1d7e9b3c50',
  otherClient: '9a4d0f1b-7c2e-4b36-8f50-1e0c6d8a2b3f',
  user: '1c6f2b4d-9e30-4d58-8b72-3a2e8fac4d61',
  otherUser: '5a036f81-d274-419c-afb6-7e62c3e0a1a5',
  conversation: '2d703c5e-af41-4e69-9c83-4b3f90bd5e72',
  webhook1: '4f925e70-c163-408b-9ea5-6d51b2df7094',
  webhook2: '60a36f81-d274-419c-afb6-7e62c3e081a5',
  webhook3: '71b47092-e385-42ad-b0c7-8f73d4f192b6',
} as const;

/** The n-th message id of a spec (n < 4096). */
export function messageId(n: number): string {
  return `3e814d6f-b052-4f7a-8d94-5c40a1ce${n.toString(16).padStart(4, '0')}`;
}

export const tokenHashA = 'a1'.repeat(32);
export const tokenHashB = 'b2'.repeat(32);

export function sealed(label: string): string {
  return `v1.aXY.dGFn.${Buffer.from(label).toString('base64url')}`;
}

export const telegramEndpoint: Endpoint = {
  channel: { name: 'telegram', version: '1.0.0' },
  identity: '*',
  sender: '42',
  thread: '*',
};

export const slackEndpoint: Endpoint = {
  channel: { name: 'slack', version: '1.0.0' },
  identity: 'T01',
  sender: 'U02',
  thread: 'C03',
};
