/**
 * CDI's validating webhook for DataVolumes (pkg/apiserver/webhooks/datavolume-validate.go and util.go, v1.66):
 * the rules beyond the CRD schema that a real cluster enforces, with CDI's messages, wrapped the way
 * kube-apiserver wraps a webhook denial.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../cluster-store.js';
import { ApiError, type StatusCause } from './api-error.js';

/** The webhook's name in CDI's ValidatingWebhookConfiguration, which kube quotes in the denial. */
export const DATAVOLUME_WEBHOOK = 'datavolume-validate.cdi.kubevirt.io';

type Loose = Record<string, unknown>;

/** Go's url.ParseRequestURI then CDI's scheme check. */
function sourceUrlProblem(url: string): string {
  if (url === '') return 'source URL is empty';
  let parsed: URL;
  try {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !url.startsWith('/')) throw new Error('not a request URI');
    parsed = new URL(url);
  } catch {
    return `Invalid source URL: ${url}`;
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  return scheme === 'http' || scheme === 'https' || scheme === 'gs' ? '' : `Invalid source URL scheme: ${url}`;
}

function vddkCauses(vddk: Loose): StatusCause[] {
  const text = (key: string) => (typeof vddk[key] === 'string' ? (vddk[key] as string) : '');
  if (!text('secretRef') || !text('uuid') || !text('backingFile') || !text('thumbprint')) {
    return [
      { reason: 'FieldValueInvalid', message: 'spec.source.VDDK source VDDK is not valid', field: 'spec.source.VDDK' },
    ];
  }
  const problem = sourceUrlProblem(text('url'));
  return problem
    ? [{ reason: 'FieldValueInvalid', message: `spec.source ${problem}`, field: 'spec.source.VDDK.url' }]
    : [];
}

/**
 * The spec as CDI compares it after decoding into its Go type (apiequality.Semantic.DeepEqual): a false
 * finalCheckpoint is the zero value, as absent, and an empty checkpoints list equals a missing (nil) one.
 */
function semantic(spec: Loose): Loose {
  const { checkpoints, finalCheckpoint, ...rest } = spec;
  return {
    ...rest,
    ...(Array.isArray(checkpoints) && checkpoints.length > 0 && { checkpoints }),
    ...(finalCheckpoint !== undefined && finalCheckpoint !== false && { finalCheckpoint }),
  };
}

/**
 * The multi-stage exception (datavolume-validate.go Admit, "Always admit checkpoint updates for multi-stage
 * migrations"): when the new spec has a vddk or imageio source and a non-empty checkpoints list, the specs are
 * compared with checkpoints and finalCheckpoint cleared on both sides, so only those two may change. Anything else,
 * or any change without checkpoints or with another source, is "Cannot update DataVolume Spec".
 */
function specChangeAllowed(spec: Loose, oldSpec: Loose): boolean {
  const source = spec.source as Loose | null | undefined;
  const present = (value: unknown) => value !== undefined && value !== null;
  const multiStage =
    present(source) &&
    Array.isArray(spec.checkpoints) &&
    spec.checkpoints.length > 0 &&
    (present(source?.vddk) || present(source?.imageio));
  if (!multiStage) return false;
  const strip = ({ checkpoints: _c, finalCheckpoint: _f, ...rest }: Loose) => rest;
  return isDeepStrictEqual(strip(spec), strip(oldSpec));
}

function denial(causes: StatusCause[]): ApiError {
  const message = causes.map((cause) => ` ${cause.message}`).join('');
  return new ApiError(422, 'Invalid', `admission webhook "${DATAVOLUME_WEBHOOK}" denied the request: ${message}`, {
    causes,
  });
}

/**
 * On create, a PVC of the DataVolume's name that no DataVolume controls is refused (Admit: `Destination PVC ns/name
 * already exists`; a PVC that CDI may adopt, ClaimMayExistBeforeDataVolume, is not modelled: the sandbox never
 * marks one so).
 */
function claimCauses(dv: KubeObject, claim: KubeObject | undefined): StatusCause[] {
  if (!claim) return [];
  const owners = (claim.metadata as { ownerReferences?: { kind?: string; controller?: boolean }[] }).ownerReferences;
  const controller = owners?.find((owner) => owner.controller === true);
  if (controller?.kind === 'DataVolume') return [];
  return [
    {
      reason: 'FieldValueDuplicate',
      message: `Destination PVC ${dv.metadata.namespace}/${dv.metadata.name} already exists`,
      field: 'DataVolume.Name',
    },
  ];
}

/**
 * Throws the webhook's denial for a DataVolume create (`old` undefined; `claim` the PVC of its name, if any) or
 * update.
 */
export function admitDataVolume(dv: KubeObject, old: KubeObject | undefined, claim?: KubeObject): void {
  if (!old) {
    const causes = claimCauses(dv, claim);
    if (causes.length) throw denial(causes);
  }
  const spec = (dv.spec ?? {}) as Loose;
  if (old) {
    const oldSpec = (old.spec ?? {}) as Loose;
    if (!isDeepStrictEqual(semantic(spec), semantic(oldSpec)) && !specChangeAllowed(spec, oldSpec)) {
      throw denial([
        { reason: 'FieldValueDuplicate', message: 'Cannot update DataVolume Spec', field: 'DataVolume.Spec' },
      ]);
    }
  }
  const vddk = (spec.source as Loose | undefined)?.vddk;
  if (vddk && typeof vddk === 'object') {
    const causes = vddkCauses(vddk as Loose);
    if (causes.length) throw denial(causes);
  }
}
