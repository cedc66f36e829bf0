/**
 * `migrate`'s shell around the engine: takes the plan's Lease, lists the plan's DataVolumes once and adopts them,
 * then runs the loop (TransferLoop) until every disk is transferred, stuck or failed, or a stop path (Ctrl-C,
 * --timeout, a lost lease, the controller taking the plan over) ends admission. No stop path deletes or stops a
 * transfer. Meanwhile it publishes the run's status in its Lease and applies `top --control` requests. The plan's
 * VDDK Secrets (vCenter's, and one per ESXi host its VMs are read from) are made (or brought up to date) once the Lease
 * is held, before the first DataVolume, and deleted when every disk of the plan is copied.
 */

import type { PlanClusters } from '../cluster/destination.js';
import type { KubeClient } from '../cluster/kube-client.js';
import { acquireLease, type HeldLease, LEASE_RENEW_MS, type LeaseObject } from '../cluster/lease.js';
import { type ControlRequest, readControlRequest } from '../cluster/lease-control.js';
import type { ResolvedPlan, ResolvedVm } from '../cluster/resolved-plan.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import {
  deleteUnusedVddkSecret,
  type EnsureOutcome,
  ensureEsxiVddkSecret,
  ensureVddkSecret,
} from '../cluster/vddk-secret.js';
import { guestConversion } from './guest-conversion.js';
import type { RunController } from './run-controller.js';
import type { RunEvent, RunSummary } from './run-events.js';
import type { RunOptions } from './run-options.js';
import { RunSnapshotBuilder } from './run-snapshot.js';
import { encodeStatus, PUBLISHED_LIMITS } from './snapshot-codec.js';
import { SourcePowerOff } from './source-power.js';
import { TransferLoop } from './transfer-loop.js';
import { VmFinisher } from './vm-finisher.js';
import { WarmLoop } from './warm-loop.js';

/** Runs the plan's transfers; resolves with the summary (also emitted last), throws UserError for exit 3 and 5. */
export async function runTransfers(options: RunOptions, emit: (e: RunEvent) => void): Promise<RunSummary> {
  const { resolved } = options;
  let run: TransferLoop | WarmLoop | undefined;
  const lease = await acquireLease(options.client, {
    plan: resolved.plan.name,
    namespace: resolved.plan.namespace,
    holder: options.holder,
    takeover: options.takeover,
    ...(options.now && { now: options.now }),
    ...options.lease,
    onLost: (reason) => {
      // why, in one line: another runner took it, it was removed, or it could not be renewed in time
      emit({ type: 'warning', time: new Date((options.now ?? Date.now)()).toISOString(), message: reason });
      run?.stop('lease-lost');
    },
  });
  if (lease.tookLive) {
    // the runner whose live Lease was taken admits until its next renewal fails (at most one renewal period and a
    // request later): admitting before then could put the two of them above the cap together
    await abortableDelay((options.lease?.renewEveryMs ?? LEASE_RENEW_MS) + 1_000, options.signal);
  }
  const stopping = new AbortController();
  const client = options.client.stoppingWith(stopping.signal);
  const clusters = { host: client, destination: (options.destination ?? options.client).stoppingWith(stopping.signal) };
  const now = options.now ?? Date.now;
  const snapshots = new RunSnapshotBuilder(options.holder);
  const publish = () => {
    const snapshot = snapshots.snapshot(now(), PUBLISHED_LIMITS);
    if (!snapshot) return;
    const text = encodeStatus(snapshot);
    if (text !== undefined) lease.publish(text);
  };
  // the VMs' events (and their sources') wait for the plan event that opens the run
  const held: RunEvent[] = [];
  let opened = false;
  let warmLoop: WarmLoop | undefined;
  const downtimes = new Map<string, number>();
  const send = (event: RunEvent) => {
    if (!opened && (event.type.startsWith('vm-') || event.type === 'source-power')) {
      held.push(event);
      return;
    }
    snapshots.apply(event);
    emit(event);
    // a warm VM's downtime: from its cutover to its VM made
    const downtime = event.type === 'vm-created' && !event.adopted ? warmLoop?.downtimeOf(event.vm) : undefined;
    if (event.type === 'vm-created' && downtime !== undefined) {
      downtimes.set(event.vm, downtime);
      send({ type: 'warm', time: event.time, vm: event.vm, phase: 'downtime', round: 0, seconds: downtime });
    }
  };
  const madeSecrets: RunEvent[] = [];
  const source = options.sourcePower && new SourcePowerOff({ ...options.sourcePower, emit: send, now });
  if (options.warm && !source)
    throw new Error('runTransfers: a warm run needs sourcePower (its cutover shuts the sources down)');
  const finisher =
    options.vms && resolved.vmSettings
      ? new VmFinisher({
          resolved,
          dataVolumes: options.dataVolumes,
          skipped: options.vms.skipped,
          destination: clusters.destination,
          emit: send,
          now,
          readyTimeoutMs: options.vms.readyTimeoutMs,
          ...(source && { sourceReady: (vm: ResolvedVm) => source.ready(vm) }),
          ...(resolved.conversion && {
            convert: guestConversion(clusters.host, resolved, (event) => send(event), { now }),
          }),
        })
      : undefined;
  const sink = finisher && {
    diskDone: (name: string) => finisher.diskDone(name),
    doneWithoutDataVolume: async () => finisher.claimsOf(await finisher.start()),
  };
  const loopEmit = (event: RunEvent) => {
    send(event);
    // the Secrets' events follow the plan's, which opens every run
    if (event.type === 'plan') {
      opened = true;
      for (const made of madeSecrets) send(made);
      for (const early of held.splice(0)) send(early);
    }
  };
  const loop =
    options.warm && source
      ? new WarmLoop(options, clusters, loopEmit, { ...options.warm, source }, sink)
      : new TransferLoop(options, clusters, loopEmit, sink, source);
  run = loop;
  if (loop instanceof WarmLoop) warmLoop = loop;
  const requests = watchRequests(client, lease, options, loop);
  // when something changed, at most every statusEveryMs; when nothing did, with every renewal, so that the clock
  // `top` shows goes on
  let published = -1;
  let publishedAt = now();
  const publisher = setInterval(() => {
    if (snapshots.revision === published && now() - publishedAt < (options.lease?.renewEveryMs ?? LEASE_RENEW_MS))
      return;
    published = snapshots.revision;
    publishedAt = now();
    publish();
  }, options.statusEveryMs ?? 1000);
  try {
    // the VDDK Secrets (none for a user's own, --vddk-secret): before the first DataVolume
    const secrets = secretsToMake(resolved);
    for (const secret of secrets) {
      const made = await secret.ensure(clusters);
      if (made !== 'given') madeSecrets.push(secretEvent(resolved, secret, made, now));
    }
    await requests.start();
    options.onController?.(loop);
    const copy = await loop.run();
    // VMs are made while disks copy; a run stopped early (Ctrl-C, --timeout, a lost Lease) makes no more of them
    if (copy.outcome !== 'completed' && copy.outcome !== 'stuck') finisher?.stop();
    const made = finisher && (await finisher.finish());
    const vms = made?.map((vm) => {
      const downtimeSeconds = downtimes.get(vm.vm);
      return downtimeSeconds === undefined ? vm : { ...vm, downtimeSeconds };
    });
    const summary = vms ? { ...copy, vms, note: '' } : copy;
    // every disk copied: no DataVolume of the plan reads them any more
    const copied = summary.outcome === 'completed' && summary.transferred === summary.disks;
    for (const secret of copied ? secrets : []) {
      if (await deleteUnusedVddkSecret(clusters.destination, resolved.plan, [], secret.name)) {
        send(secretEvent(resolved, secret, 'deleted', now));
      }
    }
    send({ type: 'summary', time: new Date(now()).toISOString(), summary });
    return summary;
  } finally {
    clearInterval(publisher);
    // a run that failed leaves no VM being made, no source being waited for, and no watch open
    source?.stop();
    await finisher?.abandon();
    stopping.abort();
    await requests.stop();
    // the last status, with the outcome, lands before the Lease goes: `top` shows how the run ended
    publish();
    await lease.settled();
    await lease.release();
  }
}

/** A VDDK Secret the run makes, and where from. */
interface SecretToMake {
  name: string;
  /** The Secret it is made from, `namespace/name`. */
  from: string;
  /** The ESXi host it is for; absent: vCenter's, made from the Provider's. */
  host?: string;
  ensure(clusters: PlanClusters): Promise<EnsureOutcome>;
}

/**
 * The run's VDDK Secrets (vddk-secret.ts): the Provider's when a VM is read through vCenter, and one per ESXi host
 * VMs are read from (resolved.esxiSecrets); none with a user's own (--vddk-secret).
 */
function secretsToMake(resolved: ResolvedPlan): SecretToMake[] {
  const source = resolved.vddkSecretSource;
  if (source.kind !== 'provider') return [];
  const release = resolved.mtvRelease.release;
  const throughVcenter = resolved.vms.some((vm) => vm.esxi === undefined);
  return [
    ...(throughVcenter
      ? [
          {
            name: resolved.vddkSecret,
            from: `${source.namespace}/${source.name}`,
            ensure: (clusters: PlanClusters) =>
              ensureVddkSecret(clusters, resolved.plan, release, { name: resolved.vddkSecret, source }),
          },
        ]
      : []),
    ...(resolved.esxiSecrets ?? []).map((secret) => ({
      name: secret.name,
      from: `${secret.from.namespace}/${secret.from.name}`,
      host: secret.hostName,
      ensure: (clusters: PlanClusters) => ensureEsxiVddkSecret(clusters, resolved.plan, release, secret),
    })),
  ];
}

/** A VDDK Secret the run made (vddk-secret.ts), as a run reports it; never its content. */
function secretEvent(
  resolved: RunOptions['resolved'],
  secret: SecretToMake,
  action: 'created' | 'updated' | 'unchanged' | 'deleted',
  now: () => number,
): RunEvent {
  return {
    type: 'secret',
    time: new Date(now()).toISOString(),
    name: secret.name,
    namespace: resolved.plan.targetNamespace,
    action,
    from: secret.from,
    ...(secret.host !== undefined && { host: secret.host }),
  };
}

/**
 * Watches the run's own Lease: keeps the held copy current and applies each new `top --control` request once. A
 * request the Lease carried before this run began is an earlier run's and is not applied.
 */
function watchRequests(
  client: KubeClient,
  lease: HeldLease,
  options: RunOptions,
  controller: RunController,
): { start(): Promise<void>; stop(): Promise<void> } {
  let applied: string | undefined;
  const seen = (object: LeaseObject) => {
    lease.observe(object);
    const request = readControlRequest(object);
    if (!request || request.id === applied) return;
    applied = request.id;
    applyRequest(controller, request);
  };
  const watch = client.watch<LeaseObject>(
    inNamespace(RESOURCES.leases, options.resolved.plan.namespace),
    { fieldSelector: `metadata.name=${lease.name}`, list: true },
    {
      onList: (items) => {
        for (const item of items) seen(item);
      },
      onEvent: (type, object) => {
        if (type !== 'DELETED') seen(object);
      },
      onBatch: () => undefined,
      // a broken request channel does not stop the copy: the run goes on without remote control
      onError: () => undefined,
    },
  );
  return {
    start: async () => {
      const [current] = await watch.start();
      applied = (current && readControlRequest(current)?.id) ?? '';
      if (current) lease.observe(current);
    },
    stop: () => watch.stop(),
  };
}

function applyRequest(controller: RunController, request: ControlRequest): void {
  const source = { kind: 'remote', by: request.by } as const;
  if (request.action === 'pause') controller.setPaused(true, source);
  else if (request.action === 'resume') controller.setPaused(false, source);
  else if (request.action === 'cutover') {
    const at = Date.parse(request.cutover ?? '');
    if (Number.isFinite(at)) controller.setCutover?.(at, source);
  } else if (request.maxInFlight !== undefined)
    controller.setCaps({ ...controller.caps, maxInFlight: request.maxInFlight }, source);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
