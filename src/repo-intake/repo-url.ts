import { BlockList, isIP } from 'node:net';

/**
 * Pure rules for repository URLs: one canonical spelling per repository, and which resolved
 * addresses a fetch may reach. No IO here; the intake resolves names and applies these.
 */

/**
 * The spelling a repository is known by in the cache: scheme and host in lower case, default port
 * dropped, no trailing slashes, no `.git` suffix. `HTTPS://GitHub.com/a/b.git/` and
 * `https://github.com/a/b` are one repository. The path keeps its case (servers may differ on it).
 */
export function canonicalRepoUrl(raw: string): string {
  const url = new URL(raw);
  let pathname = url.pathname.replace(/\/+$/, '');
  if (pathname.toLowerCase().endsWith('.git')) pathname = pathname.slice(0, -4);
  pathname = pathname.replace(/\/+$/, '');
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol.toLowerCase()}//${url.hostname.toLowerCase()}${port}${pathname}`;
}

const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (also some clouds' metadata, e.g. 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds an IPv4 address)
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');
}

/** True for an address on the public internet: not loopback, private, link-local, metadata, multicast or reserved. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const lower = address.toLowerCase();
  // IPv4-mapped and IPv4-compatible forms carry an IPv4 address: judge that one.
  const mapped = /^(?:0{0,4}:){0,5}(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower.replace(/^::/, '0::'));
  if (mapped) return isPublicAddress(mapped[1]);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return isPublicAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  return !NOT_PUBLIC.check(lower, 'ipv6');
}

/** True when `host` (lower case) is on the allow-list, by exact name (subdomains are other hosts); null allows any. */
export function hostAllowed(host: string, allowed: readonly string[] | null): boolean {
  return allowed === null || allowed.includes(host.replace(/\.$/, ''));
}
