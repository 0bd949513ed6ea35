import { toWireRequest } from '@switchboard/channel-common';
import type { ProviderRequest, ProviderResponse } from '@switchboard/contracts';

/** Sends a rendered provider request over real HTTP to a fake's base URL and returns its answer. */
export async function sendToFake(baseUrl: string, request: ProviderRequest): Promise<ProviderResponse> {
  const wire = toWireRequest(baseUrl, request);
  const response = await fetch(wire.url, {
    method: wire.method,
    headers: wire.headers,
    body: wire.body ?? null,
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}
