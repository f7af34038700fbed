import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client IP is counted under. One IPv6 host usually holds a whole
 * /64 (RFC 6177 assigns at least that to a site), so counting single IPv6
 * addresses would let one attacker rotate through 2^64 of them: IPv6
 * addresses are counted by their /64 prefix. IPv4-mapped IPv6 addresses
 * (`::ffff:203.0.113.7`, as dual-stack servers report IPv4 clients) count as
 * the IPv4 address. Anything else is used as given.
 */
export function clientIpKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIPv4(mapped[1] as string)) return mapped[1] as string;
  const bare = ip.replace(/%.*$/, ''); // zone index (fe80::1%eth0)
  if (!isIPv6(bare)) return ip;
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase();
  // A trailing dotted IPv4 part (::1.2.3.4) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
