import type { ScenarioSummary } from '@kubectl-mtv/engine';

/** A served sandbox, as the summary names it. */
export interface SandboxFacts {
  kubeconfigPath: string;
  apiUrl: string;
  inventoryUrl: string;
  /** The source Provider's vCenter: its SDK URL, its user and the Secret that holds its password (never printed). */
  vcenter: { url: string; secret: string };
  scenario: ScenarioSummary;
  /** `namespace/name` of the seeded Plan. */
  plan: string;
  targetNamespace: string;
  /** The MTV release whose Forklift CRDs are served. */
  mtvRelease: string;
  /** The version the CDI installation reports. */
  cdiVersion: string;
  /** The remote destination cluster's API, its kubeconfig context, and the plan that copies to it. */
  remote: { apiUrl: string; context?: string; plan: string };
  /** The proxy in front of both servers, when one runs. */
  proxyUrl?: string;
  /** The client certificate and key files the kubeconfig names, when its user authenticates with them. */
  clientCertificateFiles?: string[];
}

/** How the sandbox was asked to behave, as the summary names it. */
export interface SandboxSettings {
  insecureHttp: boolean;
  speed: number;
  faultRate: number;
  faultSeed: number;
  watchDropEvery?: number;
  latencyMs: number;
  failDisks: readonly string[];
  deny: readonly string[];
  /** The first N inventory requests naming the provider are answered 206 (syncing). */
  inventorySyncing?: number;
}

/** What the user needs on stderr: where things are, what runs, how to use it. Never the token nor the vCenter password. */
export function sandboxSummary(served: SandboxFacts, options: SandboxSettings): string {
  const scheme = options.insecureHttp ? 'plain HTTP, anonymous requests served' : 'TLS, the CA is in the kubeconfig';
  const router = options.insecureHttp ? '' : '; its CA is in ConfigMap openshift-config-managed/default-ingress-cert';
  const { name, vms, disks } = served.scenario;
  const lines = [
    `Kubernetes API ${served.apiUrl} (${scheme}), serving the Forklift CRDs of MTV ${served.mtvRelease}, CDI ${served.cdiVersion}`,
    `remote cluster ${served.remote.apiUrl} (${served.remote.context ? `context ${served.remote.context}` : 'no context: it takes tokens only'}; its own CA and token): the destination of plan ${served.remote.plan}`,
    `Forklift inventory ${served.inventoryUrl} (Route openshift-mtv/forklift-inventory${router})`,
    `vCenter ${served.vcenter.url} (its user and password are in the source Provider's Secret ${served.vcenter.secret})`,
    ...(served.proxyUrl ? [`HTTP proxy ${served.proxyUrl} (the kubeconfig's proxy-url; both servers behind it)`] : []),
    ...(served.clientCertificateFiles
      ? [
          `client certificate ${served.clientCertificateFiles.join(' and ')} (the kubeconfig's user; the inventory needs a token)`,
        ]
      : []),
    `scenario ${name}: ${vms} VMs, ${disks} disks; plan ${served.plan} imports into namespace ${served.targetNamespace}; ${options.speed}x time`,
  ];
  const faults = [
    options.faultRate > 0 &&
      `${+(options.faultRate * 100).toFixed(2)}% of resource requests fail (seed ${options.faultSeed})`,
    options.watchDropEvery !== undefined && `watches cut every ${options.watchDropEvery} events`,
    options.latencyMs > 0 && `${options.latencyMs} ms latency`,
    options.failDisks.length > 0 && `crash-looping disks ${options.failDisks.join(', ')}`,
    options.deny.length > 0 && `denied ${options.deny.join(', ')}`,
    (options.inventorySyncing ?? 0) > 0 &&
      `the inventory answers its first ${options.inventorySyncing} provider requests 206 (still syncing)`,
  ].filter((fault): fault is string => typeof fault === 'string');
  if (faults.length > 0) lines.push(`faults: ${faults.join('; ')}`);
  lines.push(`export KUBECONFIG=${served.kubeconfigPath}`, 'Ctrl-C stops the sandbox');
  return lines.map((line) => `sandbox: ${line}\n`).join('');
}
