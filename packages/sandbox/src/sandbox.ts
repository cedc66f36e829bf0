/**
 * The whole embedded cluster in one call: the Kubernetes API server, the Forklift inventory, the seed a scenario
 * implies, the CDI importer and KubeVirt's VM controller on a simulated clock, with fault injection and stats. `kubectl mtv sandbox` runs it
 * in the foreground; tests start it in process.
 *
 * Timestamps written into objects are wall-clock times (a simulated instant maps to the real instant it happened),
 * so kubectl's AGE columns stay sane at any speed; simulated seconds appear in the stats only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Scenario } from '@kubectl-mtv/engine';
import { type ApiServer, startApiServer } from './api/api-server.js';
import { type MtvRelease, NEWEST_MTV_RELEASE } from './api/crd-loader.js';
import type { RequestInterceptor } from './api/router.js';
import { DEFAULT_CDI_VERSION, findsInstanceUuid, isCdiVersion } from './cdi/cdi-version.js';
import { SimulatedClock } from './cdi/clock.js';
import { diskSources } from './cdi/disk-sources.js';
import { Importer, noImports } from './cdi/importer.js';
import type { ClusterStore } from './cluster-store.js';
import { type ConversionFault, FaultInjector, type FaultOptions } from './faults.js';
import { type CleanupRecord, ForkliftCleanup } from './forklift/cleanup.js';
import { ConversionController } from './forklift/conversion-controller.js';
import { SandboxInputError } from './input-error.js';
import { inventoryFromScenario } from './inventory/from-scenario.js';
import { FORKLIFT_PARITY_WAIT_MS } from './inventory/parity.js';
import { type InventoryCounts, type InventoryServer, startInventoryServer } from './inventory/server.js';
import { sandboxKubeconfig } from './kubeconfig.js';
import { DEFAULT_VM_START_SECONDS, VirtController } from './kubevirt/virt-controller.js';
import { vmFailures } from './kubevirt/vm-faults.js';
import { type SandboxProxy, startSandboxProxy } from './proxy.js';
import { applySeed } from './seed/apply-seed.js';
import { remoteClusterSeed, remoteHostSeed } from './seed/remote-seed.js';
import { seedObjects } from './seed/seed-objects.js';
import { isStatsRequest, RequestCounter, type SandboxStats, serveStats } from './stats.js';
import { createSandboxTls } from './tls.js';
import { createSandboxVcenter, type SandboxVcenter, vcenterBehaviour } from './vcenter/sandbox-vcenter.js';

export interface SandboxOptions {
  scenario: Scenario;
  /** The API server's port; 0 (the default) takes any free one. The inventory always takes a free one. */
  port?: number;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  /** Plain HTTP for both servers, anonymous requests allowed (kubectl 1.32 sends no token over HTTP). */
  insecureHttp?: boolean;
  faults?: FaultOptions;
  /** Disks (`VM/INDEX`, e.g. `app-01/0`) whose importer crash-loops; each must name a disk of the scenario. */
  failDisks?: string[];
  /** Disks (`VM/INDEX`) whose importer stops progressing half way, without an error or a restart. */
  stallDisks?: string[];
  /**
   * VMs of the scenario whose VirtualMachine never runs: `NAME` (CrashLoopBackOff) or `NAME:ErrorUnschedulable`,
   * on both clusters (kubevirt/vm-faults.ts).
   */
  failVms?: string[];
  /**
   * Simulated seconds from a VirtualMachine's VMI with all its PVCs Bound to Running (default
   * DEFAULT_VM_START_SECONDS, 10); printableStatus is Starting meanwhile.
   */
  vmStartSeconds?: number;
  /** `VERB:RESOURCE` rules the API server answers 403, e.g. `create:datavolumes`. */
  deny?: string[];
  /** The same, on the remote destination cluster's API server (`remote`). */
  remoteDeny?: string[];
  /** The bearer token both servers want; random unless given. */
  token?: string;
  /** Real milliseconds between two advances of the importer's clock (default 100). */
  tickMs?: number;
  /** Watch events the API server keeps for resuming watches (default 10,000); fewer makes 410 Expired come sooner. */
  historyLimit?: number;
  /** Milliseconds between two BOOKMARK events on a watch that asked for them (default 5000). */
  bookmarkIntervalMs?: number;
  /**
   * Also accept a client certificate its CA signs (as kube-apiserver's --client-ca-file): the sandbox issues one for
   * the sandbox's user, for kubeconfigs that authenticate by certificate (`clientCertificate` of the Sandbox).
   */
  clientCertificate?: boolean;
  /** Start an HTTP proxy (CONNECT) in front of both servers, for kubeconfigs with `proxy-url` (`proxyUrl`). */
  proxy?: boolean;
  /** The MTV release whose Forklift CRDs the API server serves (default the newest, NEWEST_MTV_RELEASE). */
  mtvRelease?: MtvRelease;
  /**
   * The version the CDI installation reports (status.observedVersion; default DEFAULT_CDI_VERSION): with it, whether
   * the importer finds a VM by its instance uuid (cdi/cdi-version.ts).
   */
  cdiVersion?: string;
  /**
   * The inventory is still syncing with vCenter: the first `requests` requests that name the provider wait
   * Forklift's 10 s for parity (simulated seconds, at `speed`) and are answered 206 Partial Content (inventory/parity.ts).
   */
  inventorySyncing?: { requests: number };
  /** MTV 2.12: VMs whose guest conversion fails, with virt-v2v's error (forklift/conversion-controller.ts). */
  failConversions?: ConversionFault[];
  /** MTV 2.12: bytes of PVC a guest conversion gets through per simulated second (CONVERSION_BYTES_PER_SECOND). */
  conversionBytesPerSecond?: number;
  /** VMs of the scenario (by name) whose CreateSnapshot_Task on the sandbox's vCenter ends in error. */
  failSnapshots?: string[];
  /** VMs of the scenario (by name) whose guest ignores ShutdownGuest on the sandbox's vCenter. */
  ignoreShutdown?: string[];
}

/** The user the sandbox's token and its client certificate stand for (403 messages name it). */
export const SANDBOX_USER = 'sandbox-admin';

export interface Sandbox {
  /** `https://127.0.0.1:PORT` (or http). */
  apiUrl: string;
  inventoryUrl: string;
  /** A kubeconfig for the API server (context namespace openshift-mtv); the caller decides where it goes. */
  kubeconfigText: string;
  token: string;
  /** The CA (PEM) the API server's certificate chains to (the kubeconfig's); absent over plain HTTP. */
  caCert?: string;
  /**
   * The ingress CA (PEM) the inventory's certificate chains to, as an OpenShift router's does: another CA than the
   * kubeconfig's, published in ConfigMap openshift-config-managed/default-ingress-cert. Absent over plain HTTP.
   */
  ingressCaCert?: string;
  /** metadata.uid of the source Provider, the key of every inventory URL. */
  providerUid: string;
  store: ClusterStore;
  importer: Importer;
  /** KubeVirt's VM controller, simulated (kubevirt/virt-controller.ts). */
  virtController: VirtController;
  /**
   * The remote destination cluster: a second API server (its own port, CA and token) with its own CDI importer,
   * the destination of plan-remote; context `mtv-sandbox-remote` of the kubeconfig.
   */
  remote: {
    apiUrl: string;
    token: string;
    caCert?: string;
    store: ClusterStore;
    importer: Importer;
    virtController: VirtController;
  };
  stats(): SandboxStats;
  /** Turns fault injection on or off while the sandbox runs (see FaultOptions.startDisabled). */
  setFaultsEnabled(enabled: boolean): void;
  /** Requests the inventory server has served. */
  inventoryRequests(): number;
  /** What the inventory server has served: requests, bytes, 206 answers, requests by route. */
  inventoryCounts(): InventoryCounts;
  /** Cuts every open watch connection (as a load balancer that drops them would); returns how many. */
  dropWatches(): number;
  /** What Forklift's archive cleanup deleted, per archived plan (see forklift/cleanup.ts). */
  forkliftCleanups(): CleanupRecord[];
  /** MTV 2.12: Forklift's conversion controller, simulated (its records: phase, pod, times per Conversion). */
  conversions?: ConversionController;
  /** The client certificate and key (PEM) the API server accepts, with `clientCertificate`. */
  clientCertificate?: { cert: string; key: string };
  /** The proxy's URL, with `proxy`. */
  proxyUrl?: string;
  /** What the proxy carried, by target `127.0.0.1:PORT` (the API server's, the inventory's), with `proxy`. */
  proxyCarried(): Record<string, number>;
  /**
   * The source Provider's vCenter (vcenter/): a vim25 SOAP endpoint over HTTPS serving the inventory's own VMs, with
   * its CA, certificate SHA-1 and the Provider Secret's credentials (never print the password). `model` is what it
   * serves: power state changes made through it are the inventory's.
   */
  vcenter: Pick<SandboxVcenter, 'url' | 'caCert' | 'thumbprint' | 'user' | 'password' | 'model' | 'stop'>;
  /** Stops the clock, the importer and both servers; safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_TICK_MS = 100;

/** Starts the sandbox; resolves once both servers serve and the seed is in place. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { scenario, port = 0, speed = 1, insecureHttp = false, failDisks = [], stallDisks = [], deny = [] } = options;
  rejectUnknownDisks(scenario, failDisks);
  rejectUnknownDisks(scenario, stallDisks, 'stallDisks');
  const cdiVersion = options.cdiVersion ?? DEFAULT_CDI_VERSION;
  if (!isCdiVersion(cdiVersion)) {
    throw new SandboxInputError(
      `CDI version "${cdiVersion}" is not a semantic version`,
      'give one as CDI reports it, e.g. v1.66.0 or v4.20.16',
    );
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  const providerUid = randomUUID();
  const release = options.mtvRelease ?? NEWEST_MTV_RELEASE;
  const inventory = inventoryFromScenario(scenario, providerUid, release);
  const failure = vmFailures(options.failVms ?? [], inventory.vms);
  rejectUnknownVms(scenario, options.failSnapshots ?? [], '--fail-snapshot');
  rejectUnknownVms(scenario, options.ignoreShutdown ?? [], '--ignore-shutdown');
  const clock = new SimulatedClock(speed);
  const startedAtMs = Date.now();
  if (options.clientCertificate && insecureHttp) {
    throw new SandboxInputError(
      'a client certificate needs TLS: it cannot be used with plain HTTP',
      'drop one of the two',
    );
  }
  const tls = insecureHttp
    ? undefined
    : createSandboxTls(undefined, options.clientCertificate ? { clientCommonName: SANDBOX_USER } : {});
  const serverTls = tls && { cert: tls.serverCert, key: tls.serverKey };
  // The inventory is reached through its Route, which the router serves with a certificate of the ingress
  // operator's own CA (openshift/cluster-ingress-operator pkg/operator/controller/certificate/ca.go generateRouterCA
  // names it "cluster-ingress-operator@<unix seconds>"), not the API server's
  const ingressTls = insecureHttp
    ? undefined
    : createSandboxTls(undefined, { caCommonName: `cluster-ingress-operator@${Math.floor(Date.now() / 1000)}` });

  const requests = new RequestCounter();
  const faults = new FaultInjector(options.faults);
  // The importer exists once the API server does; a request that comes earlier sees no imports.
  let importer: Importer | undefined;
  let remoteImporter: Importer | undefined;
  let virtController: VirtController | undefined;
  let remoteVirtController: VirtController | undefined;
  let proxy: SandboxProxy | undefined;
  const stats = (): SandboxStats => ({
    requests: requests.snapshot(),
    imports: importer?.snapshot() ?? noImports(),
    faults: faults.counts(),
    simulatedSeconds: clock.seconds(),
    proxy: proxy?.carried() ?? {},
  });
  const intercept: RequestInterceptor = (req, res, info) => {
    if (isStatsRequest(req)) {
      serveStats(req, res, stats);
      return true;
    }
    requests.record(info);
    return faults.intercept(req, res, info);
  };

  const api = await listen(port, () =>
    startApiServer({
      port,
      token,
      user: SANDBOX_USER,
      ...(options.mtvRelease && { mtvRelease: options.mtvRelease }),
      tls: serverTls && { ...serverTls, ...(options.clientCertificate && { clientCa: tls?.caCert }) },
      allowAnonymous: insecureHttp,
      deny,
      intercept,
      ...(options.historyLimit !== undefined && { historyLimit: options.historyLimit }),
      ...(options.bookmarkIntervalMs !== undefined && { bookmarkIntervalMs: options.bookmarkIntervalMs }),
    }),
  );
  // the remote destination: another cluster, with another CA and token (as another OpenShift would have)
  const remoteToken = randomBytes(32).toString('base64url');
  const remoteTls = insecureHttp
    ? undefined
    : createSandboxTls(undefined, { caCommonName: 'kubectl-mtv sandbox remote CA' });
  let remoteApi: ApiServer | undefined;
  let inventoryServer: InventoryServer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cleanup: ForkliftCleanup | undefined;
  let conversions: ConversionController | undefined;
  let vcenter: SandboxVcenter | undefined;
  const stop = async () => {
    clearInterval(timer);
    importer?.stop();
    remoteImporter?.stop();
    virtController?.stop();
    remoteVirtController?.stop();
    cleanup?.stop();
    conversions?.stop();
    await Promise.all([api.close(), remoteApi?.close(), inventoryServer?.close(), proxy?.close(), vcenter?.stop()]);
  };
  try {
    remoteApi = await startApiServer({
      port: 0,
      token: remoteToken,
      user: SANDBOX_USER,
      ...(options.mtvRelease && { mtvRelease: options.mtvRelease }),
      tls: remoteTls && { cert: remoteTls.serverCert, key: remoteTls.serverKey },
      allowAnonymous: insecureHttp,
      deny: options.remoteDeny ?? [],
      ...(options.historyLimit !== undefined && { historyLimit: options.historyLimit }),
      ...(options.bookmarkIntervalMs !== undefined && { bookmarkIntervalMs: options.bookmarkIntervalMs }),
    });
    const timestamp = (seconds: number) =>
      new Date(Math.floor((startedAtMs + (seconds / speed) * 1000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    // the vCenter serves the inventory's own VM objects: one model for both
    const startedVcenter = await createSandboxVcenter({
      inventory,
      clock: () => clock.seconds(),
      timestamp,
      behaviour: vcenterBehaviour(scenario, {
        failSnapshots: options.failSnapshots ?? [],
        ignoreShutdown: options.ignoreShutdown ?? [],
      }),
    });
    vcenter = startedVcenter;
    const sources = diskSources(scenario, inventory, startedVcenter);
    const importerOptions = {
      resolve: sources.resolve,
      ...sources.bandwidth,
      endpoints: sources.endpoints,
      failDisks: new Set(failDisks),
      findsInstanceUuid: findsInstanceUuid(cdiVersion),
      stallDisks: new Set(stallDisks),
      // each stage's checkpoint is looked up in the vCenter, as CDI's VDDK importer does
      vcenter: startedVcenter.model,
      clock: () => clock.seconds(),
      // metav1.Time has whole seconds
      timestamp,
    };
    // each cluster's CDI copies on its own: the two share no bandwidth model (a sandbox liberty)
    const remoteStarted = new Importer({ store: remoteApi.store, ...importerOptions });
    remoteImporter = remoteStarted;
    const started = new Importer({ store: api.store, ...importerOptions });
    importer = started;
    const virtControllerOptions = {
      timestamp: importerOptions.timestamp,
      clock: importerOptions.clock,
      startSeconds: options.vmStartSeconds ?? DEFAULT_VM_START_SECONDS,
      failure,
    };
    const remoteVirt = new VirtController({ store: remoteApi.store, ...virtControllerOptions });
    remoteVirtController = remoteVirt;
    const virt = new VirtController({ store: api.store, ...virtControllerOptions });
    virtController = virt;
    cleanup = new ForkliftCleanup(api.store, release);
    // The Route names the inventory's port, so the inventory listens before the seed is written.
    inventoryServer = await startInventoryServer({
      token,
      tls: ingressTls && { cert: ingressTls.serverCert, key: ingressTls.serverKey },
      inventory,
      ...(options.inventorySyncing && {
        sync: { requests: options.inventorySyncing.requests, parityWaitMs: FORKLIFT_PARITY_WAIT_MS / speed },
      }),
    });
    const reachable = [api.url, remoteApi.url, inventoryServer.url].map((url) => new URL(url).host);
    if (options.proxy) proxy = await startSandboxProxy(() => reachable);
    const seededAt = new Date().toISOString();
    applySeed(api.store, [
      ...seedObjects(scenario, {
        providerUid,
        inventoryUrl: inventoryServer.url,
        now: seededAt,
        cdiVersion,
        mtvRelease: release,
        ...(ingressTls && { ingressCaCert: ingressTls.caCert }),
        vcenter: startedVcenter,
      }),
      ...remoteHostSeed(scenario, {
        providerUid,
        apiUrl: remoteApi.url,
        token: remoteToken,
        ...(remoteTls && { caCert: remoteTls.caCert }),
        now: seededAt,
      }),
    ]);
    applySeed(remoteApi.store, remoteClusterSeed(cdiVersion, seededAt));
    // the Conversion CR and its controller arrive in MTV 2.12 (pkg/controller/conversion)
    const hostStore = api.store;
    const remoteStore = remoteApi.store;
    const converter =
      release === '2.12'
        ? new ConversionController({
            store: hostStore,
            // ensurer.go resolveDestinationClient: no ref or a host Provider (no URL) -> the host cluster
            destination: (ref) => {
              const provider = ref?.name
                ? hostStore.get('providers.forklift.konveyor.io', ref.namespace, ref.name)
                : undefined;
              return (provider?.spec as { url?: string } | undefined)?.url ? remoteStore : hostStore;
            },
            clock: () => clock.seconds(),
            timestamp: importerOptions.timestamp,
            ...(options.conversionBytesPerSecond !== undefined && {
              bytesPerSecond: options.conversionBytesPerSecond,
            }),
            failures: options.failConversions ?? [],
          })
        : undefined;
    conversions = converter;
    timer = setInterval(() => {
      // guest shutdowns and task ends show in the inventory's powerState without a vCenter request
      startedVcenter.model.sync();
      started.advanceTo(clock.seconds());
      remoteStarted.advanceTo(clock.seconds());
      virt.advanceTo(clock.seconds());
      remoteVirt.advanceTo(clock.seconds());
      converter?.advanceTo(clock.seconds());
    }, options.tickMs ?? DEFAULT_TICK_MS);
    timer.unref();
    let closing: Promise<void> | undefined;
    return {
      apiUrl: api.url,
      inventoryUrl: inventoryServer.url,
      kubeconfigText: sandboxKubeconfig({
        server: api.url,
        token,
        caCert: tls?.caCert,
        insecure: insecureHttp,
        ...(proxy && { proxyUrl: proxy.url }),
        remote: { server: remoteApi.url, token: remoteToken, ...(remoteTls && { caCert: remoteTls.caCert }) },
      }),
      token,
      ...(tls && { caCert: tls.caCert }),
      ...(ingressTls && { ingressCaCert: ingressTls.caCert }),
      providerUid,
      store: api.store,
      importer: started,
      virtController: virt,
      remote: {
        apiUrl: remoteApi.url,
        token: remoteToken,
        ...(remoteTls && { caCert: remoteTls.caCert }),
        store: remoteApi.store,
        importer: remoteStarted,
        virtController: remoteVirt,
      },
      stats,
      setFaultsEnabled: (enabled) => faults.setEnabled(enabled),
      inventoryRequests: () => inventoryServer?.requestCount() ?? 0,
      inventoryCounts: () => inventoryServer?.counts() ?? { requests: 0, bytes: 0, partialContent: 0, byRoute: {} },
      dropWatches: () => api.dropWatches(),
      forkliftCleanups: () => cleanup?.records.map((record) => ({ ...record, deleted: [...record.deleted] })) ?? [],
      ...(converter && { conversions: converter }),
      ...(tls?.client && { clientCertificate: tls.client }),
      ...(proxy && { proxyUrl: proxy.url }),
      proxyCarried: () => proxy?.carried() ?? {},
      vcenter: {
        url: startedVcenter.url,
        caCert: startedVcenter.caCert,
        thumbprint: startedVcenter.thumbprint,
        user: startedVcenter.user,
        password: startedVcenter.password,
        model: startedVcenter.model,
        stop: startedVcenter.stop,
      },
      close: () => {
        closing ??= stop();
        return closing;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the API server; a port that is taken or forbidden is the user's to fix (exit 2), naming the port. */
async function listen(port: number, start: () => Promise<ApiServer>): Promise<ApiServer> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new SandboxInputError(`port ${port} on 127.0.0.1 is already in use`, '--port 0 picks a free port');
    }
    if (code === 'EACCES') {
      throw new SandboxInputError(
        `port ${port} on 127.0.0.1 needs privileges this user lacks`,
        '--port 0 picks a free port',
      );
    }
    throw error;
  }
}

/** A --fail-snapshot or --ignore-shutdown that names no VM would do nothing; refuse it with a VM it could name. */
function rejectUnknownVms(scenario: Scenario, names: readonly string[], option: string): void {
  for (const name of names) {
    if (!scenario.vms.some((vm) => vm.name === name)) {
      throw new SandboxInputError(
        `${option}: "${name}" names no VM of the scenario`,
        `a VM name such as ${scenario.vms[0]?.name ?? 'app-01'}`,
      );
    }
  }
}

/** A --fail-disk that names no disk would silently fail nothing; refuse it with the VM's disk count. */
function rejectUnknownDisks(scenario: Scenario, failDisks: readonly string[], option = '--fail-disk'): void {
  for (const label of failDisks) {
    const match = /^(.+)\/(\d+)$/.exec(label);
    const vm = match && scenario.vms.find((candidate) => candidate.name === match[1]);
    if (!match || !vm) {
      throw new SandboxInputError(
        `${option}: "${label}" names no VM of the scenario`,
        `VM/INDEX with a VM such as ${scenario.vms[0]?.name ?? 'app-01'}, e.g. ${scenario.vms[0]?.name ?? 'app-01'}/0`,
      );
    }
    const index = Number(match[2]);
    if (index >= vm.disks.length) {
      throw new SandboxInputError(
        `${option}: "${label}" names disk ${index} of VM "${vm.name}", which has ${vm.disks.length} disk(s)`,
        `an index from 0 to ${vm.disks.length - 1}`,
      );
    }
  }
}
