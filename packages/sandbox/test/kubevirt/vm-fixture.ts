/** VirtualMachine manifests for the tests, as kubectl-mtv builds them. */
import type { KubeObject } from '../../src/cluster-store.js';

/** A VM as kubectl-mtv builds one: one PVC disk, no machine type. `spec` overrides the top of its spec. */
export function virtualMachine(name: string, spec: Record<string, unknown> = { runStrategy: 'Halted' }): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace: 'demo', labels: { app: name } },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          domain: {
            cpu: { sockets: 1, cores: 2 },
            memory: { guest: '2Gi' },
            devices: { disks: [{ name: 'vol-0', bootOrder: 1, disk: { bus: 'virtio' } }] },
          },
          volumes: [{ name: 'vol-0', persistentVolumeClaim: { claimName: `${name}-disk-0` } }],
        },
      },
    },
  };
}
