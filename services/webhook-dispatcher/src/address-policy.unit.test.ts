import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, guardedLookup, ipv6Bytes, refusedAddressReason } from './address-policy.js';

describe('refusedAddressReason', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1234',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    '2002:c0a8:0101::1',
  ])('refuses %s', (address) => {
    expect(refusedAddressReason(address)).toBeDefined();
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(refusedAddressReason(address)).toBeUndefined();
    },
  );

  it('refuses what is not an address', () => {
    expect(refusedAddressReason('example.com')).toMatch(/not an IP address/);
  });

  it('reads IPv6 addresses into bytes', () => {
    expect(ipv6Bytes('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(ipv6Bytes('1.2.3.4')).toBeUndefined();
  });
});

describe('checkWebhookUrl', () => {
  it('refuses IP literals in private ranges, other schemes and credentials', () => {
    expect(checkWebhookUrl(new URL('http://127.0.0.1:8080/hook'), false)).toMatch(/private/);
    expect(checkWebhookUrl(new URL('http://[::1]/hook'), false)).toBeDefined();
    expect(checkWebhookUrl(new URL('ftp://example.com/'), false)).toMatch(/scheme/);
    expect(checkWebhookUrl(new URL('https://user:pw@example.com/'), false)).toMatch(/credentials/);
    expect(checkWebhookUrl(new URL('https://example.com/hook'), false)).toBeUndefined();
  });

  it('allows private literals when told to', () => {
    expect(checkWebhookUrl(new URL('http://127.0.0.1:8080/hook'), true)).toBeUndefined();
  });
});

describe('guardedLookup', () => {
  const resolver =
    (addresses: LookupAddress[]) =>
    (_host: string, _options: unknown, callback: (err: null, a: LookupAddress[]) => void) =>
      callback(null, addresses);
  const lookupWith = (addresses: LookupAddress[], allowPrivate: boolean, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
      const lookup = guardedLookup(allowPrivate, resolver(addresses) as never);
      lookup('hooks.example.com', { all } as never, (err, address, family) =>
        resolve({ err, result: all ? address : { address, family } }),
      );
    });

  it('refuses a host when any of its addresses is private (DNS rebinding included)', async () => {
    const { err } = await lookupWith(
      [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
      false,
      false,
    );
    expect(err?.code).toBe('ERR_WEBHOOK_ADDRESS_REFUSED');
    expect(err?.message).toMatch(/10\.0\.0\.5/);
  });

  it('passes public addresses through, in both callback forms', async () => {
    const addresses = [{ address: '93.184.216.34', family: 4 }];
    expect(await lookupWith(addresses, false, false)).toEqual({
      err: null,
      result: { address: '93.184.216.34', family: 4 },
    });
    expect(await lookupWith(addresses, false, true)).toEqual({ err: null, result: addresses });
  });

  it('lets private addresses through when allowed', async () => {
    const { err } = await lookupWith([{ address: '127.0.0.1', family: 4 }], true, false);
    expect(err).toBeNull();
  });
});
