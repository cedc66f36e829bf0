import { describe, expect, it } from 'vitest';
import type { InventoryNetworkDetail, InventoryVmDetail } from '../../src/cluster/inventory-client.js';
import { mapVmNics, type NetworkPair } from '../../src/cluster/network-map.js';

const NETWORKS: InventoryNetworkDetail[] = [
  { id: 'network-1', name: 'VM Network', variant: 'Standard' },
  { id: 'network-2', name: 'Back', variant: 'Standard' },
  // a distributed portgroup: its NICs name it by key
  { id: 'dvportgroup-9', name: 'DPG', variant: 'DvPortGroup', key: 'dvportgroup-key-9' },
];

function vm(...networks: string[]): InventoryVmDetail {
  return {
    id: 'vm-1',
    name: 'vm',
    host: 'host-1',
    powerState: 'poweredOff',
    uuid: 'u',
    disks: [],
    nics: networks.map((id, i) => ({ network: { kind: 'Network', id }, mac: `00:50:56:00:00:0${i}`.toUpperCase() })),
  };
}

const pod: NetworkPair['destination'] = { type: 'pod' };
const multus = (name: string, namespace = 'demo'): NetworkPair['destination'] => ({ type: 'multus', namespace, name });

describe('mapVmNics, as each release maps NICs through a NetworkMap', () => {
  it('matches a NIC by network id, or by portgroup key for a distributed portgroup, and lowercases MACs', () => {
    const pairs: NetworkPair[] = [
      { source: { id: 'network-1' }, destination: pod },
      { source: { name: 'DPG' }, destination: multus('a') },
    ];
    const mapped = mapVmNics(vm('network-1', 'dvportgroup-key-9'), pairs, NETWORKS, '2.12');
    expect(mapped.unmapped).toEqual([]);
    expect(mapped.nics).toEqual([
      { mac: '00:50:56:00:00:00', networkId: 'network-1', networkName: 'VM Network', destination: { type: 'pod' } },
      {
        mac: '00:50:56:00:00:01',
        networkId: 'dvportgroup-key-9',
        networkName: 'dvportgroup-key-9',
        destination: { type: 'multus', namespace: 'demo', name: 'a' },
      },
    ]);
  });

  it('names the networks of NICs no pair maps, and keeps ignored ones as ignored', () => {
    const pairs: NetworkPair[] = [{ source: { id: 'network-1' }, destination: { type: 'ignored' } }];
    const mapped = mapVmNics(vm('network-1', 'network-2'), pairs, NETWORKS, '2.12');
    expect(mapped.unmapped).toEqual(['Back (network-2)']);
    expect(mapped.nics.map((nic) => nic.destination.type)).toEqual(['ignored', 'ignored']);
  });

  it('2.9 and 2.10 take the first pair of a network; 2.11+ prefer one that is not Multus', () => {
    const pairs: NetworkPair[] = [
      { source: { id: 'network-2' }, destination: multus('a') },
      { source: { id: 'network-2' }, destination: pod },
    ];
    for (const release of ['2.9', '2.10'] as const) {
      expect(mapVmNics(vm('network-2'), pairs, NETWORKS, release).nics[0].destination).toEqual(multus('a'));
    }
    for (const release of ['2.11', '2.12'] as const) {
      expect(mapVmNics(vm('network-2'), pairs, NETWORKS, release).nics[0].destination).toEqual(pod);
    }
  });

  it('2.11+ spread the NICs of one network over its Multus NADs, each once per VM, and leave extra NICs out', () => {
    const pairs: NetworkPair[] = [
      { source: { id: 'network-2' }, destination: multus('a') },
      { source: { id: 'network-2' }, destination: multus('b') },
    ];
    const three = vm('network-2', 'network-2', 'network-2');
    expect(mapVmNics(three, pairs, NETWORKS, '2.12').nics.map((nic) => nic.destination)).toEqual([
      multus('a'),
      multus('b'),
      { type: 'ignored' },
    ]);
    expect(mapVmNics(three, pairs, NETWORKS, '2.10').nics.map((nic) => nic.destination)).toEqual([
      multus('a'),
      multus('a'),
      multus('a'),
    ]);
  });

  it('2.8 orders the NICs pair by pair, ignored ones last', () => {
    const pairs: NetworkPair[] = [
      { source: { id: 'network-2' }, destination: multus('a') },
      { source: { id: 'network-1' }, destination: pod },
    ];
    const order = (release: '2.8' | '2.9') =>
      mapVmNics(vm('network-1', 'network-2'), pairs, NETWORKS, release).nics.map((nic) => nic.networkId);
    expect(order('2.8')).toEqual(['network-2', 'network-1']);
    expect(order('2.9')).toEqual(['network-1', 'network-2']);
  });

  it('gives a VM without NICs (the inventory renders null) none', () => {
    expect(mapVmNics({ ...vm(), nics: null }, [], NETWORKS, '2.12')).toEqual({ nics: [], unmapped: [] });
  });
});
