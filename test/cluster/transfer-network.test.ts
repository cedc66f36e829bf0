/**
 * Forklift's setTransferNetwork per release (src/cluster/transfer-network.ts): the annotations each DataVolume gets
 * for the plan's NetworkAttachmentDefinition, written as Go's json.Marshal writes them.
 */
import { describe, expect, it } from 'vitest';
import { MTV_RELEASES, type MtvRelease } from '../../src/cluster/mtv-release.js';
import {
  type NetworkAttachmentDefinition,
  transferNetworkAnnotations,
  transferNetworkNamespaceAllowed,
} from '../../src/cluster/transfer-network.js';

const REF = { namespace: 'demo', name: 'transfer-net' };
const NETWORKS = 'k8s.v1.cni.cncf.io/networks';
const LEGACY = 'v1.multus-cni.io/default-network';

/** A NAD with the route annotation (when given) and a CNI config (JSON text, or an object to stringify). */
function nad(route: string | undefined, config: unknown = ''): NetworkAttachmentDefinition {
  return {
    metadata: { ...REF, ...(route !== undefined && { annotations: { 'forklift.konveyor.io/route': route } }) },
    spec: { config: typeof config === 'string' ? config : JSON.stringify(config) },
  };
}

/** A bridge config whose IPAM routes are `routes`. */
const bridge = (...routes: { dst?: unknown; gw?: unknown }[]) => ({
  cniVersion: '0.3.1',
  type: 'bridge',
  ipam: { type: 'host-local', subnet: '192.168.100.0/24', routes },
});

const annotations = (release: MtvRelease, from: NetworkAttachmentDefinition) => {
  const outcome = transferNetworkAnnotations(REF, from, release);
  return outcome.kind === 'annotations' ? outcome.annotations : outcome;
};

const RELEASES_BEFORE = (release: MtvRelease) => MTV_RELEASES.slice(0, MTV_RELEASES.indexOf(release));
const RELEASES_FROM = (release: MtvRelease) => MTV_RELEASES.slice(MTV_RELEASES.indexOf(release));

describe('the transfer network annotations on every MTV release', () => {
  it.each(MTV_RELEASES)('%s: a route annotation gives the networks annotation with that default route', (release) => {
    expect(annotations(release, nad('192.168.100.1'))).toEqual({
      [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.1"]}]',
    });
  });

  it.each(MTV_RELEASES)('%s: the route as Go writes the IP it parsed (lower case, ::, IPv4-mapped)', (release) => {
    expect(annotations(release, nad('FD00:0:0:0::1'))).toEqual({
      [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["fd00::1"]}]',
    });
    expect(annotations(release, nad('::ffff:192.168.100.1'))).toEqual({
      [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.1"]}]',
    });
  });

  it.each(MTV_RELEASES)('%s: no route anywhere gives the legacy default-network annotation', (release) => {
    expect(annotations(release, nad(undefined))).toEqual({ [LEGACY]: 'demo/transfer-net' });
    expect(annotations(release, nad(undefined, bridge({ dst: '10.0.0.0/8', gw: '192.168.100.1' })))).toEqual({
      [LEGACY]: 'demo/transfer-net',
    });
  });

  it.each(MTV_RELEASES)('%s: a route that is not an IP fails, where it came from said', (release) => {
    for (const route of ['gw.example', '', '10.0.0.01', 'fe80::1%eth0']) {
      expect(annotations(release, nad(route)), route).toEqual({ kind: 'bad-route', route, source: 'annotation' });
    }
  });

  it.each(RELEASES_BEFORE('2.10'))('%s: the IPAM default route is not read (annotation only)', (release) => {
    expect(annotations(release, nad(undefined, bridge({ dst: '0.0.0.0/0', gw: '192.168.100.254' })))).toEqual({
      [LEGACY]: 'demo/transfer-net',
    });
  });

  it.each(RELEASES_FROM('2.10'))(
    '%s: without the annotation, the first IPAM route to 0.0.0.0/0 or ::/0 gives its gw',
    (release) => {
      const config = bridge(
        { dst: '10.0.0.0/8', gw: '192.168.100.9' },
        { dst: '0.0.0.0/0', gw: '192.168.100.254' },
        { dst: '::/0', gw: 'fd00::1' },
      );
      expect(annotations(release, nad(undefined, config))).toEqual({
        [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.254"]}]',
      });
      expect(
        annotations(
          release,
          nad(undefined, bridge({ dst: '0.0.0.0/00', gw: '1.1.1.1' }, { dst: '::/0', gw: 'FD00::1' })),
        ),
      ).toEqual({
        [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["fd00::1"]}]',
      });
      // the annotation wins over the IPAM route
      expect(annotations(release, nad('192.168.100.1', config))).toEqual({
        [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.1"]}]',
      });
    },
  );

  it.each(RELEASES_FROM('2.10'))('%s: an IPAM default route without a gateway IP fails', (release) => {
    expect(annotations(release, nad(undefined, bridge({ dst: '0.0.0.0/0' })))).toEqual({
      kind: 'bad-route',
      route: '',
      source: 'ipam',
    });
    expect(annotations(release, nad(undefined, bridge({ dst: '::/0', gw: 'router' })))).toEqual({
      kind: 'bad-route',
      route: 'router',
      source: 'ipam',
    });
  });

  it.each(RELEASES_FROM('2.10'))('%s: reads the config as Go decodes it into CNINetworkConfig', (release) => {
    const route = (config: unknown) => {
      const outcome = transferNetworkAnnotations(REF, nad(undefined, config), release);
      return outcome.kind === 'annotations' ? outcome.route?.value : outcome.route;
    };
    // keys match case-insensitively, the long s and the Kelvin sign too; other fields are ignored
    expect(route({ IPAM: { Routes: [{ DST: '0.0.0.0/0', Gw: '10.0.0.1' }] }, other: [1] })).toBe('10.0.0.1');
    expect(route({ ipam: { route\u017f: [{ d\u017ft: '0.0.0.0/0', gw: '10.0.0.2' }] } })).toBe('10.0.0.2');
    // null leaves a field as it was
    expect(route({ ipam: null })).toBeUndefined();
    expect(route({ ipam: { routes: [null, { dst: '0.0.0.0/0', gw: '10.0.0.3', extra: {} }] } })).toBe('10.0.0.3');
    // a later key of the same field decodes into what the earlier one left: elements merge, the array is cut
    expect(
      route({
        ipam: {
          routes: [
            { dst: '0.0.0.0/0', gw: '10.0.0.4' },
            { dst: '::/0', gw: 'fd00::9' },
          ],
        },
        IPAM: { routes: [{ gw: '10.0.0.5' }] },
      }),
    ).toBe('10.0.0.5');
    // not JSON, or a known field of another type: Unmarshal fails, no route, the legacy annotation
    for (const broken of [
      '{"ipam": ',
      '[]',
      '"text"',
      { ipam: [] },
      { ipam: { routes: {} } },
      { ipam: { routes: [7] } },
      { ipam: { routes: [{ dst: '0.0.0.0/0', gw: 10 }] } },
      { ipam: { routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.6' }] }, IPAM: { routes: [{ dst: false }] } },
    ]) {
      expect(annotations(release, nad(undefined, broken)), JSON.stringify(broken)).toEqual({
        [LEGACY]: 'demo/transfer-net',
      });
    }
  });

  it.each(RELEASES_FROM('2.11'))(
    '%s: the route "none" gives the networks annotation without a default route',
    (release) => {
      expect(annotations(release, nad('none'))).toEqual({ [NETWORKS]: '[{"name":"transfer-net","namespace":"demo"}]' });
      expect(annotations(release, nad(undefined, bridge({ dst: '0.0.0.0/0', gw: 'none' })))).toEqual({
        [NETWORKS]: '[{"name":"transfer-net","namespace":"demo"}]',
      });
    },
  );

  it.each(RELEASES_BEFORE('2.11'))('%s: the route "none" is not an IP, so it fails', (release) => {
    expect(annotations(release, nad('none'))).toEqual({ kind: 'bad-route', route: 'none', source: 'annotation' });
  });
});

describe("the NAD's namespace", () => {
  it.each(MTV_RELEASES)('%s: the target namespace and "default" are accepted; another only before 2.11', (release) => {
    expect(transferNetworkNamespaceAllowed(REF, 'demo', release)).toBe(true);
    expect(transferNetworkNamespaceAllowed({ namespace: 'default', name: 'n' }, 'demo', release)).toBe(true);
    expect(transferNetworkNamespaceAllowed({ namespace: 'networks', name: 'n' }, 'demo', release)).toBe(
      release === '2.8' || release === '2.9' || release === '2.10',
    );
  });
});
