import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Thrown (as a connection error) when a webhook's host is, or resolves to, an address we refuse. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
  readonly code = 'ERR_WEBHOOK_ADDRESS_REFUSED';
}

// Private, loopback, link-local, shared, documentation, multicast and reserved ranges: nothing a
// client's public backend lives on, and everything an attacker would aim a webhook at.
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The 16 bytes of an IPv6 address (dotted IPv4 tail allowed); undefined when it is not one. */
export function ipv6Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups].map((g) =>
    Number.parseInt(g, 16),
  );
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), which is what it reaches. */
function embeddedIpv4(bytes: number[]): string | undefined {
  const v4 = (from: number) => bytes.slice(from, from + 4).join('.');
  const allZero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (allZero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(12); // ::ffff:a.b.c.d
  if (allZero(0, 12)) return v4(12); // ::a.b.c.d (deprecated compatible form)
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && allZero(4, 12))
    return v4(12); // 64:ff9b::/96
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2); // 2002::/16
  return undefined;
}

/** Why an IP address is refused as a webhook target, or undefined when it is a public address. */
export function refusedAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) {
    return blocked.check(address, 'ipv4') ? `${address} is a private or reserved address` : undefined;
  }
  if (family === 6) {
    const bytes = ipv6Bytes(address);
    const v4 = bytes ? embeddedIpv4(bytes) : undefined;
    if (v4 && v4 !== '0.0.0.0' && blocked.check(v4, 'ipv4')) {
      return `${address} reaches ${v4}, a private or reserved address`;
    }
    if (bytes && /^0+$/.test(bytes.slice(0, 15).join('')) && bytes[15] !== undefined && bytes[15] <= 1) {
      return `${address} is a loopback or unspecified address`;
    }
    return blocked.check(address, 'ipv6') ? `${address} is a private or reserved address` : undefined;
  }
  return `${address} is not an IP address`;
}

const allowedSchemes = new Set(['http:', 'https:']);

/**
 * Checks what can be checked before connecting: the scheme, and the host when it is an IP literal
 * (a connection to a literal does no lookup, so `guardedLookup` never sees it).
 */
export function checkWebhookUrl(url: URL, allowPrivate: boolean): string | undefined {
  if (!allowedSchemes.has(url.protocol)) return `scheme ${url.protocol} is not allowed`;
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? refusedAddressReason(host) : undefined;
}

/**
 * A `lookup` for outgoing connections that refuses a host when any address it resolves to is
 * refused: the check happens on the addresses actually connected to, so a DNS answer that changes
 * between a check and the connection (rebinding) cannot slip through.
 */
export function guardedLookup(allowPrivate: boolean, resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const list = Array.isArray(addresses) ? addresses : [];
      const refused = allowPrivate
        ? undefined
        : list.map((a) => refusedAddressReason(a.address)).find((r) => r !== undefined);
      if (refused) {
        return callback(
          new RefusedAddressError(`${hostname} refused: ${refused}`) as NodeJS.ErrnoException,
          '',
          0,
        );
      }
      const first = list[0];
      if (!first) {
        const none = new Error(`${hostname} has no address`) as NodeJS.ErrnoException;
        none.code = 'ENOTFOUND';
        return callback(none, '', 0);
      }
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}
