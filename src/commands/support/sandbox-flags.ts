import { Flags } from '@oclif/core';
import { MTV_RELEASES } from '../../cluster/mtv-release.js';

/** `kubectl mtv sandbox`'s flags, as strings: src/commands/support/flag-values.ts checks their values. */
export const sandboxFlags = {
  scenario: Flags.string({
    description: 'Scenario file (YAML or JSON); - reads it from stdin. Default: the built-in sandbox scenario.',
    helpValue: 'FILE',
  }),
  port: Flags.string({
    description: 'Port of the Kubernetes API; 0 takes any free one.',
    default: '0',
    helpValue: 'N',
  }),
  kubeconfig: Flags.string({
    description:
      'Where to write the kubeconfig (never ~/.kube/config). Default: $XDG_RUNTIME_DIR/kubectl-mtv/sandbox-PORT.kubeconfig, else a new temporary directory.',
    helpValue: 'PATH',
  }),
  speed: Flags.string({ description: 'Simulated seconds per real second.', default: '1', helpValue: 'X' }),
  'insecure-http': Flags.boolean({
    description: 'Serve plain HTTP; kubectl then sends no token, so requests without one are served.',
  }),
  'fault-rate': Flags.string({
    description: 'Share of resource requests answered 429, 500, 503 or a reset connection (0..1).',
    default: '0',
    helpValue: 'R',
  }),
  'fault-seed': Flags.string({
    description: 'Seed of the fault draws, to repeat a run. Default: random (printed).',
    helpValue: 'N',
  }),
  'watch-drop-every': Flags.string({ description: 'Cut each watch after it has sent N events.', helpValue: 'N' }),
  'fail-disk': Flags.string({
    description: "Make this disk's importer crash-loop (repeatable), e.g. app-01/0.",
    multiple: true,
    helpValue: 'VM/INDEX',
  }),
  'fail-vm': Flags.string({
    description:
      'Make the VM migrate makes from this source VM fail to start (repeatable): CrashLoopBackOff, or NAME:ErrorUnschedulable.',
    multiple: true,
    helpValue: 'NAME[:STATUS]',
  }),
  'fail-conversion': Flags.string({
    description: "Make this VM's guest conversion (its Conversion CR, MTV 2.12) fail with MESSAGE (repeatable).",
    multiple: true,
    helpValue: 'VM=MESSAGE',
  }),
  'fail-snapshot': Flags.string({
    description:
      "Make every snapshot of this VM on the sandbox's vCenter fail: its CreateSnapshot_Task ends in error (repeatable).",
    multiple: true,
    helpValue: 'VM',
  }),
  'ignore-shutdown': Flags.string({
    description: "Make this VM's guest ignore ShutdownGuest on the sandbox's vCenter and stay on (repeatable).",
    multiple: true,
    helpValue: 'VM',
  }),
  deny: Flags.string({
    description:
      'Answer these requests 403 Forbidden (repeatable), e.g. create:datavolumes; @NAMESPACE limits a rule to one namespace, e.g. get:secrets@openshift-mtv.',
    multiple: true,
    helpValue: 'VERB:RESOURCE[@NAMESPACE]',
  }),
  'client-certificate': Flags.boolean({
    description:
      "Authenticate the kubeconfig's user with a client certificate the sandbox's CA signs, written beside it (PATH-client.crt, PATH-client.key), instead of a token. The inventory accepts only tokens.",
  }),
  proxy: Flags.boolean({
    description:
      "Start an HTTP proxy (CONNECT) in front of the API and the inventory, named in the kubeconfig's proxy-url.",
  }),
  'mtv-version': Flags.string({
    description: `Serve the Forklift CRDs of this MTV release (${MTV_RELEASES.join(', ')}); default ${MTV_RELEASES.at(-1)}.`,
    helpValue: 'X.Y',
  }),
  'cdi-version': Flags.string({
    description:
      "The version the cluster's CDI reports (status.observedVersion of its CDI resource); default that of the CDI CRDs served, v1.66.0. Its importer finds VMs by instance uuid from v1.66.0 upstream and v4.20.16, v4.21.9, v4.22.1 in OpenShift Virtualization.",
    helpValue: 'vX.Y.Z',
  }),
  'inventory-syncing': Flags.string({
    description:
      "Answer the inventory's first N requests that name the provider 206 Partial Content, as Forklift does while it syncs with vCenter.",
    default: '0',
    helpValue: 'N',
  }),
  latency: Flags.string({
    description: 'Delay every API request by MS milliseconds.',
    default: '0',
    helpValue: 'MS',
  }),
};
