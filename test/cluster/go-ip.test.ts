import { describe, expect, it } from 'vitest';
import { canonicalGoIp } from '../../src/cluster/go-ip.js';

describe("Go's net.ParseIP and the text json.Marshal writes for it (src/cluster/go-ip.ts)", () => {
  it.each([
    ['192.168.100.1', '192.168.100.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    // lower-case hex, no leading zeros, the longest zero run as ::
    ['FD00::1', 'fd00::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    // two runs of the same length: the first is elided; a longer later one wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    // a single zero field is never elided, even where :: stood for it
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    // IPv4-mapped addresses are written as IPv4 (IP.String: To4); IPv4-compatible ones are not
    ['::ffff:192.168.100.1', '192.168.100.1'],
    ['::FFFF:c0a8:6401', '192.168.100.1'],
    ['::192.168.100.1', '::c0a8:6401'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('reads %s and writes %s', (text, written) => {
    expect(canonicalGoIp(text)).toBe(written);
  });

  it.each([
    ['', 'empty'],
    ['none', 'no dot or colon'],
    ['gw.example', 'a name'],
    ['10.0.0.01', 'an IPv4 field with a leading zero (Go 1.17 on)'],
    ['256.1.1.1', 'a field over 255'],
    ['1.2.3', 'too short'],
    ['1.2.3.4.5', 'too long'],
    ['1..2.3', 'an empty field'],
    ['1.2.3.4.', 'a trailing dot'],
    [' 1.2.3.4', 'a space'],
    ['1.2.3.4:80', 'a port'],
    ['192.168.100.0/24', 'a prefix'],
    ['fe80::1%eth0', 'a zone (ParseAddr takes it, ParseIP does not)'],
    ['%eth0', 'a zone alone'],
    ['1::2::3', 'two ellipses'],
    ['12345::1', 'a field over 16 bits'],
    ['1:2:3:4:5:6:7:8::', 'an ellipsis that stands for nothing'],
    ['1:2:3:4:5:6:7', 'too few fields'],
    ['1:2:3:4:5:6:7:8:9', 'too many fields'],
    ['1:2:3:4:5:6:1.2.3.4:5', 'an embedded IPv4 address before the end'],
    ['1:2:3:4:5:1.2.3.4', 'an embedded IPv4 address not in the last 32 bits'],
    ['::ffff:1.2.3.04', 'an embedded IPv4 field with a leading zero'],
    ['1:', 'a trailing colon'],
    [':1::', 'a leading single colon'],
  ])('returns nil for %j (%s)', (text) => {
    expect(canonicalGoIp(text)).toBeUndefined();
  });
});
