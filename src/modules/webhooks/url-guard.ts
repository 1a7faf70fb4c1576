// The SSRF guard (issue 17): a webhook URL may not reach Brigade's own network. Its scheme must be
// https in production; every address its host resolves to must be public — not loopback,
// link-local (cloud metadata lives there), private, unique-local, multicast or reserved, with
// IPv4 addresses hidden in IPv6 (mapped, NAT64, 6to4) judged as what they embed. The check runs
// at registration and again inside the connection's own DNS lookup at every send, so a name
// that changes its answer after registration is caught before a socket opens. Networks listed
// in WEBHOOKS_ALLOWED_NETWORKS (development, tests) are exempt.
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { UnprocessableError } from '../../platform/http/errors.js';

const DENIED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const DENIED_V6 = [
  '::/127', // unspecified and loopback
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
  // Wrappers around an IPv4 address that we refuse outright rather than unwrap.
  '64:ff9b::/96',
  '2002::/16',
];

export class UrlNotAllowedError extends UnprocessableError {
  constructor(reason: string) {
    super('WEBHOOK_URL_NOT_ALLOWED', `This webhook URL is not allowed: ${reason}.`);
  }
}

export interface UrlGuard {
  /** Refuses (WEBHOOK_URL_NOT_ALLOWED) a URL whose scheme or resolved addresses are not allowed. */
  check(url: string): Promise<void>;
  /** A DNS lookup for node:http that refuses what check() refuses, at connection time. */
  lookup: LookupFunction;
}

export interface UrlGuardOptions {
  production: boolean;
  /** CIDRs exempt from the guard, e.g. 127.0.0.0/8 in tests. */
  allowedNetworks: readonly string[];
  /** Resolves a host name to its addresses (default: the system resolver, every address). */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

function subnetList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.trim().split('/');
    const family = isIP(address ?? '');
    if (family === 0 || prefix === undefined) throw new Error(`Not a CIDR: ${cidr}`);
    list.addSubnet(address!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, also written in hex). */
function unmapped(address: string): string | null {
  const match = /^::ffff:(?:0:)?(.+)$/i.exec(address);
  if (!match) return null;
  const tail = match[1]!;
  if (isIP(tail) === 4) return tail;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export function createUrlGuard(options: UrlGuardOptions): UrlGuard {
  const denied = subnetList([...DENIED_V4, ...DENIED_V6]);
  const allowed = subnetList(options.allowedNetworks.filter((cidr) => cidr.trim() !== ''));
  const resolve = options.resolve ?? ((host: string) => dns.promises.lookup(host, { all: true, verbatim: true }));

  function refusal(address: string): string | null {
    const v4 = unmapped(address);
    const [candidate, type] =
      v4 !== null ? [v4, 'ipv4' as const] : [address, isIP(address) === 4 ? ('ipv4' as const) : ('ipv6' as const)];
    if (allowed.check(candidate, type)) return null;
    return denied.check(candidate, type) ? `it reaches a private or reserved address (${address})` : null;
  }

  async function addressesOf(host: string): Promise<string[]> {
    if (isIP(host) !== 0) return [host];
    const found = await resolve(host).catch(() => []);
    if (found.length === 0) throw new UrlNotAllowedError(`its host ${host} does not resolve`);
    return found.map((entry) => entry.address);
  }

  async function checkAddresses(host: string): Promise<Array<{ address: string; family: number }>> {
    const addresses = await addressesOf(host);
    for (const address of addresses) {
      const why = refusal(address);
      if (why !== null) throw new UrlNotAllowedError(why);
    }
    return addresses.map((address) => ({ address, family: isIP(address) }));
  }

  return {
    async check(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new UrlNotAllowedError('it is not an absolute URL');
      }
      const schemes = options.production ? ['https:'] : ['https:', 'http:'];
      if (!schemes.includes(url.protocol)) throw new UrlNotAllowedError(`its scheme must be ${schemes.join(' or ')}`);
      if (url.username !== '' || url.password !== '') throw new UrlNotAllowedError('it carries credentials');
      await checkAddresses(url.hostname.replace(/^\[(.*)\]$/, '$1'));
    },
    lookup(hostname, lookupOptions, callback) {
      checkAddresses(hostname).then(
        (addresses) => {
          if (lookupOptions.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (error: Error) => callback(Object.assign(error, { code: 'WEBHOOK_URL_NOT_ALLOWED' }), '', 0),
      );
    },
  };
}
