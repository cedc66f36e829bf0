/**
 * Go's `net.ParseIP` and the text `json.Marshal` writes for the `net.IP` it returns, so that an annotation Forklift
 * marshals from a parsed IP is written here byte for byte. Go's net package: `ParseIP` is `netip.ParseAddr` with no
 * zone (src/net/ip.go parseIP; netip.go parseIPv4, parseIPv6); `IP.MarshalText` is `IP.String`: dotted decimal for an
 * IPv4 or IPv4-mapped address, else RFC 5952 text (netip.go appendTo6: lower-case hex, the first longest run of at
 * least two zero fields as `::`). IPv4 fields take no leading zero (Go 1.17 on; Forklift 2.8 builds with Go 1.21).
 */

/** The 16 bytes Go's `net.ParseIP(text)` returns, or undefined where it returns nil. */
export function parseGoIp(text: string): number[] | undefined {
  for (const char of text) {
    if (char === '.') {
      const v4 = parseIpv4(text);
      return v4 && [...V4_IN_V6_PREFIX, ...v4];
    }
    if (char === ':') return parseIpv6(text);
    // a zone without an address (netip: "missing IPv6 address")
    if (char === '%') return undefined;
  }
  return undefined;
}

/** What Go's `IP.String` (and so `json.Marshal`) writes for 16 bytes from parseGoIp. */
export function formatGoIp(ip: readonly number[]): string {
  if (ip.length !== 16) throw new Error(`formatGoIp: ${ip.length} bytes, not 16`);
  if (V4_IN_V6_PREFIX.every((byte, i) => ip[i] === byte)) return ip.slice(12).join('.');
  const fields = Array.from({ length: 8 }, (_, i) => (ip[2 * i] << 8) | ip[2 * i + 1]);
  let zeroStart = -1;
  let zeroEnd = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && fields[j] === 0) j++;
    if (j - i >= 2 && j - i > zeroEnd - zeroStart) [zeroStart, zeroEnd] = [i, j];
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      text += '::';
      i = zeroEnd;
      if (i >= 8) break;
    } else if (i > 0) {
      text += ':';
    }
    text += fields[i].toString(16);
  }
  return text;
}

/** The text Go marshals for `net.ParseIP(text)`, or undefined where ParseIP returns nil. */
export function canonicalGoIp(text: string): string | undefined {
  const ip = parseGoIp(text);
  return ip && formatGoIp(ip);
}

/** ::ffff:0:0/96, the prefix of an IPv4 address in 16 bytes. */
const V4_IN_V6_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] as const;

/** netip.parseIPv4: four decimal fields 0-255, no empty field, no leading zero. */
function parseIpv4(text: string): number[] | undefined {
  const fields: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c >= '0' && c <= '9') {
      if (digits === 1 && value === 0) return undefined;
      value = value * 10 + Number(c);
      digits++;
      if (value > 255) return undefined;
    } else if (c === '.') {
      if (i === 0 || i === text.length - 1 || text[i - 1] === '.') return undefined;
      if (fields.length === 3) return undefined;
      fields.push(value);
      value = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (fields.length < 3) return undefined;
  return [...fields, value];
}

/** netip.parseIPv6, then ParseIP's refusal of a zone. */
function parseIpv6(text: string): number[] | undefined {
  // any zone: ParseAddr accepts a non-empty one, ParseIP then refuses it
  if (text.includes('%')) return undefined;
  const ip = new Array<number>(16).fill(0);
  let s = text;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return ip;
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const digit = hexDigit(s.charCodeAt(off));
      if (digit < 0) break;
      acc = acc * 16 + digit;
      if (acc > 0xffff) return undefined;
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === '.') {
      // an embedded IPv4 address ends the text, in the last 32 bits (or before an ellipsis)
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIpv4(s);
      if (!v4) return undefined;
      ip.splice(i, 4, ...v4);
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const shift = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + shift] = ip[j];
    for (let j = ellipsis + shift - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    // the :: must stand for at least one zero field
    return undefined;
  }
  return ip;
}

/** The value of an ASCII hex digit (either case), or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
