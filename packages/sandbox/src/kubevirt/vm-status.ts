/**
 * VirtualMachine status as KubeVirt's VM controller writes it (kubevirt/kubevirt d923fdb815,
 * pkg/virt-controller/watch/vm/vm.go updateStatus), from what the simulated virt-controller knows: the VM's run
 * strategy, its VirtualMachineInstance (kept inside the simulator, not served), its PVCs and its start failures.
 * Pure builders: the controller decides when, these decide what.
 */

/** KubeVirt's VirtualMachinePrintableStatus values the sandbox reaches (staging/.../core/v1/types.go). */
export type PrintableStatus =
  | 'Stopped'
  | 'Starting'
  | 'Running'
  | 'Terminating'
  | 'WaitingForVolumeBinding'
  | 'ErrorPvcNotFound'
  | 'ErrorUnschedulable'
  | 'CrashLoopBackOff'
  | 'Unknown';

/** The failures a test can give a VM (VirtControllerOptions.failure), named by the printableStatus they end in. */
export type VmFailure = 'CrashLoopBackOff' | 'ErrorUnschedulable';
export const VM_FAILURES: readonly VmFailure[] = ['CrashLoopBackOff', 'ErrorUnschedulable'];

/**
 * The simulated VMI's phase: Pending (no virt-launcher pod yet), Scheduling (a pod, the guest not running), Running,
 * Failed (the launcher died before the guest ran).
 */
export type VmiPhase = 'Pending' | 'Scheduling' | 'Running' | 'Failed';

export interface VmCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: string | null;
  lastTransitionTime: string;
}

/** What the controller knows of one VM at an instant. */
export interface VmState {
  namespace: string;
  runStrategy: string;
  /** The VM's metadata.deletionTimestamp is set. */
  deleting: boolean;
  /** The VM's metadata.generation. */
  generation: number;
  /** Whether the stored status already has a runStrategy: KubeVirt writes it from the VMI's first creation on. */
  runStrategyRecorded: boolean;
  vmi?: { uid: string; phase: VmiPhase; generation: number; unschedulable?: string };
  /** The first claimName of the template's volumes that names no PVC. */
  missingClaim?: string;
  /** Some PVC of the template's volumes exists but is not Bound. */
  unboundClaim: boolean;
  startFailure?: { consecutiveFailCount: number; lastFailedVMIUID: string; retryAfterTimestamp: string };
}

export interface VmStatus {
  printableStatus: PrintableStatus;
  created: boolean;
  ready: boolean;
  runStrategy?: string;
  conditions: VmCondition[];
  observedGeneration?: number;
  desiredGeneration?: number;
  startFailure?: VmState['startFailure'];
}

/** isSetToStart, for the strategies the sandbox runs: Manual never starts (no start request is modelled). */
export function isSetToStart(runStrategy: string): boolean {
  return runStrategy === 'Always' || runStrategy === 'RerunOnFailure' || runStrategy === 'Once';
}

/**
 * The run strategy of a VM's spec (staging/.../core/v1 VirtualMachine.RunStrategy): runStrategy, else running
 * true = Always and false = Halted, else Halted.
 */
export function runStrategyOf(spec: { running?: unknown; runStrategy?: unknown } | undefined): string {
  if (typeof spec?.runStrategy === 'string') return spec.runStrategy;
  return spec?.running === true ? 'Always' : 'Halted';
}

/**
 * kube-scheduler's words for a pod no node can take (pkg/scheduler/schedule_one.go FitError.Error with the
 * NodeResourcesFit plugin's reason); the sandbox has one node.
 */
export const UNSCHEDULABLE_MESSAGE =
  '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';

/** The VMI's conditions the VM copies (vm.go syncConditions; VMI side: pkg/virt-controller/watch/vmi/lifecycle.go). */
function vmiConditions(state: VmState, at: string): VmCondition[] {
  const vmi = state.vmi;
  if (!vmi) return [];
  const conditions: VmCondition[] = [];
  if (state.missingClaim !== undefined && vmi.phase === 'Pending') {
    // vmi/datavolumes.go areDataVolumesReady: the informal sync error, recorded as Synchronized=False
    // (pkg/controller/conditions.go CheckFailure), and lifecycle.go's PodScheduled=False Unschedulable with it
    const message = `PVC ${state.namespace}/${state.missingClaim} does not exist, waiting for it to appear`;
    conditions.push(
      {
        type: 'Synchronized',
        status: 'False',
        reason: 'FailedPvcNotFound',
        message,
        lastProbeTime: null,
        lastTransitionTime: at,
      },
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastProbeTime: null,
        lastTransitionTime: at,
      },
    );
  } else if (vmi.unschedulable !== undefined) {
    conditions.push({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: vmi.unschedulable,
      lastProbeTime: null,
      lastTransitionTime: at,
    });
  }
  return conditions;
}

/** vm.go syncReadyConditionFromVMI, with the VMI's Ready from vmi/lifecycle.go syncReadyConditionFromPod. */
function readyCondition(state: VmState, at: string): VmCondition {
  const base = { type: 'Ready', lastProbeTime: at, lastTransitionTime: at } as const;
  switch (state.vmi?.phase) {
    case undefined:
      return { ...base, status: 'False', reason: 'VMINotExists', message: 'VMI does not exist' };
    case 'Pending':
      return {
        ...base,
        status: 'False',
        reason: 'PodNotExists',
        message: 'virt-launcher pod has not yet been scheduled',
      };
    case 'Running':
      // the virt-launcher pod's Ready condition, which carries no reason
      return { ...base, lastProbeTime: null, status: 'True' };
    default:
      return { ...base, status: 'False', reason: 'GuestNotRunning', message: 'Guest VM is not reported as running' };
  }
}

/** vm.go setPrintableStatus: the first match wins, in KubeVirt's order (Stopping, Migrating, Paused never arise). */
export function printableStatus(state: VmState): PrintableStatus {
  const { vmi } = state;
  const final = vmi?.phase === 'Failed';
  const start = isSetToStart(state.runStrategy);
  if (state.deleting) return 'Terminating';
  if (vmi?.phase === 'Running') return 'Running';
  if (vmi && state.missingClaim !== undefined && vmi.phase === 'Pending') return 'ErrorPvcNotFound';
  if (vmi?.unschedulable !== undefined) return 'ErrorUnschedulable';
  // isVirtualMachineStatusWaitingForVolumeBinding: storagetypes.HasUnboundPVC while the VM is set to start
  if (start && state.unboundClaim) return 'WaitingForVolumeBinding';
  if (vmi && !final) return 'Starting';
  if ((!vmi || final) && (state.startFailure?.consecutiveFailCount ?? 0) > 0 && start) return 'CrashLoopBackOff';
  if (!vmi || final) return 'Stopped';
  return 'Unknown';
}

/** vm.go updateStatus for one state; `at` is an RFC 3339 time for the conditions. */
export function virtualMachineStatus(state: VmState, at: string): VmStatus {
  const created = state.vmi !== undefined;
  const status: VmStatus = {
    printableStatus: printableStatus(state),
    created,
    ready: state.vmi?.phase === 'Running',
    conditions: [readyCondition(state, at), ...vmiConditions(state, at)],
  };
  // "sync for the first time only when the VMI gets created so that we can tell if the VM got started at least once"
  if (state.runStrategyRecorded || created) status.runStrategy = state.runStrategy;
  if (state.vmi) {
    // syncGenerationInfo: the generation the VMI was made from, and the VM's
    status.observedGeneration = state.vmi.generation;
    status.desiredGeneration = state.generation;
  }
  if (state.startFailure) status.startFailure = state.startFailure;
  return status;
}

/**
 * Keeps a condition's times where KubeVirt's condition managers keep them: unchanged status, reason and message
 * keep the previous lastTransitionTime and lastProbeTime.
 */
export function carryVmConditionTimes(previous: VmCondition[] | undefined, next: VmCondition[]): VmCondition[] {
  return next.map((condition) => {
    const before = previous?.find((p) => p.type === condition.type);
    const same =
      before &&
      before.status === condition.status &&
      before.reason === condition.reason &&
      before.message === condition.message;
    return same
      ? { ...condition, lastTransitionTime: before.lastTransitionTime, lastProbeTime: before.lastProbeTime }
      : condition;
  });
}

/**
 * vm.go calculateStartBackoffTime with maxDelay 300 s (defaultMaxCrashLoopBackoffDelaySeconds): 10 s times the
 * failure count squared, at most 300 s. KubeVirt adds up to half again at random; the sandbox stays deterministic.
 */
export function startBackoffSeconds(failCount: number): number {
  const count = Math.max(1, failCount);
  return Math.min(300, 10 * count * count);
}
