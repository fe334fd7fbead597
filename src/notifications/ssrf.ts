/**
 * The SSRF guard for notification URLs: a webhook must not make the service call itself,
 * cloud metadata endpoints or (unless allow-listed) private and loopback networks. Every
 * address the host name resolves to is checked, at configuration and again at delivery.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { PortcullisError } from '../core/errors.js';

export interface UrlGuardOptions {
  /** CIDRs allowed although private or loopback (e.g. `127.0.0.0/8` in tests). */
  allowCidrs: readonly string[];
  /** The service's own origins (`https://portcullis.example:8228`); never a webhook target. */
  selfOrigins: readonly string[];
  /**
   * Where the service listens and is reached (`--listen`, `--public-url`): a URL whose resolved
   * address and port is one of these is refused, whatever name it uses. A wildcard host
   * (0.0.0.0, ::) stands for every local address. Read at each check (a port bound later may
   * be added).
   */
  selfAddresses?: readonly SelfAddress[];
}

export interface SelfAddress {
  host: string;
  port: number;
}

// Never allowed, not even by the allow-list: link-local (cloud metadata lives there).
const ALWAYS_REFUSED: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
  ['fd00:ec2::', 32, 'ipv6'],
  ['0.0.0.0', 8, 'ipv4'],
  ['::', 128, 'ipv6'],
];
const PRIVATE: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
];

function blockList(ranges: readonly [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
  return list;
}

const refusedAlways = blockList(ALWAYS_REFUSED);
const privateRanges = blockList(PRIVATE);

function refuse(url: string, why: string): never {
  throw new PortcullisError('INVALID_ARGUMENT', `webhook URL ${url} refused: ${why}`, { details: { url } });
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function unmap(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

const defaultPort = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

async function resolveAll(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return [unmap(bare)];
  return lookup(bare, { all: true, verbatim: true }).then(
    (found) => found.map((a) => unmap(a.address)),
    () => [],
  );
}

/** Addresses of this machine: what a wildcard listener answers on. */
function localAddresses(): Set<string> {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return new Set(all.map((a) => unmap(a.address)));
}

const loopback = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);

/** Whether `address:port` reaches one of the service's own listeners or its public URL. */
async function isSelf(address: string, port: number, self: readonly SelfAddress[]): Promise<boolean> {
  for (const entry of self) {
    if (entry.port !== port) continue;
    const host = entry.host.replace(/^\[|\]$/g, '');
    if (host === '0.0.0.0' || host === '::') {
      if (loopback.check(address, family(address)) || localAddresses().has(address)) return true;
      continue;
    }
    if ((await resolveAll(host)).includes(address)) return true;
  }
  return false;
}

/** The listen address and the public URL's host and port, as `selfAddresses`. */
export function selfAddressesOf(listen: SelfAddress, publicUrl?: string): SelfAddress[] {
  const self = [listen];
  if (publicUrl) {
    const url = new URL(publicUrl);
    self.push({ host: url.hostname, port: defaultPort(url) });
  }
  return self;
}

export class UrlGuard {
  private readonly allowed = new BlockList();

  constructor(private readonly options: UrlGuardOptions) {
    for (const cidr of options.allowCidrs) {
      const [net = '', prefix = ''] = cidr.split('/');
      if (!isIP(net) || !/^\d+$/.test(prefix)) {
        throw new PortcullisError('CONFIG_INVALID', `not a CIDR in the webhook allow-list: ${cidr}`);
      }
      this.allowed.addSubnet(net, Number(prefix), family(net));
    }
  }

  /** Throws INVALID_ARGUMENT unless every address of the URL's host may be called. */
  async check(raw: string): Promise<URL> {
    return (await this.vet(raw)).url;
  }

  /**
   * Checks the URL like `check` and returns the vetted addresses, so the caller connects to one
   * of them rather than resolving the name again (a second lookup could answer differently:
   * DNS rebinding).
   */
  async vet(raw: string): Promise<{ url: URL; addresses: { address: string; family: 4 | 6 }[] }> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      refuse(raw, 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(raw, 'only http and https');
    if (url.username || url.password) {
      // Named without them: the message is answered and may be logged.
      const bare = new URL(url);
      bare.username = '';
      bare.password = '';
      refuse(bare.toString(), 'credentials in the URL (give them as webhook_user and webhook_pass)');
    }
    if (this.options.selfOrigins.some((origin) => new URL(origin).origin === url.origin)) {
      refuse(raw, 'it points at this service');
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host)
      ? [host]
      : await lookup(host, { all: true, verbatim: true }).then(
          (found) => found.map((a) => a.address),
          () => refuse(raw, `host ${host} does not resolve`),
        );
    const port = defaultPort(url);
    for (const found of addresses) {
      const address = unmap(found);
      const fam = family(address);
      if (await isSelf(address, port, this.options.selfAddresses ?? [])) {
        refuse(raw, `${address}:${port} is this service`);
      }
      if (refusedAlways.check(address, fam)) refuse(raw, `${address} is link-local or unspecified`);
      if (privateRanges.check(address, fam) && !this.allowed.check(address, fam)) {
        refuse(raw, `${address} is a private or loopback address not in the allow-list`);
      }
    }
    return { url, addresses: addresses.map((a) => ({ address: a, family: isIP(a) === 6 ? 6 : 4 })) };
  }
}
