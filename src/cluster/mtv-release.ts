/**
 * Which MTV (Forklift) release a cluster runs, read from the Plan schema its API server publishes (/openapi/v3): each
 * release added Plan fields that the API server prunes on older ones (../shared/crds/forklift-releases, checked by
 * packages/sandbox/test/api/crds.test.ts): `skipGuestConversion` and `type` in 2.9, `runPreflightInspection` in 2.10,
 * `rdmAsLun` in 2.11, `tagMapping` in 2.12. What migrate can finish depends on it (docs/COMPATIBILITY.md).
 */
import { UserError } from '../errors.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { OPENAPI_V3_PATH } from './resource-types.js';

/** The releases kubectl-mtv knows, oldest first (2.8 stands for 2.8 and older). */
export const MTV_RELEASES = ['2.8', '2.9', '2.10', '2.11', '2.12'] as const;
export type MtvRelease = (typeof MTV_RELEASES)[number];

/** Whether `release` is `than` or newer. */
export function atLeastRelease(release: MtvRelease, than: MtvRelease): boolean {
  return MTV_RELEASES.indexOf(release) >= MTV_RELEASES.indexOf(than);
}

/** The Plan spec field each release added, newest first: the first one present names the release. */
const MARKERS: readonly [MtvRelease, string][] = [
  ['2.12', 'tagMapping'],
  ['2.11', 'rdmAsLun'],
  ['2.10', 'runPreflightInspection'],
  ['2.9', 'skipGuestConversion'],
];

/** How the release was found: from the served schema, or as the user said. */
export interface DetectedRelease {
  release: MtvRelease;
  source: 'schema' | 'flag';
}

/** The release whose Plan spec has these fields. */
export function releaseOfPlanFields(fields: ReadonlySet<string>): MtvRelease {
  return MARKERS.find(([, field]) => fields.has(field))?.[0] ?? '2.8';
}

/** The Plan schema's name in OpenAPI documents (kube publishes a CRD's schema under its reversed group). */
const PLAN_SCHEMA = 'io.konveyor.forklift.v1beta1.Plan';
const FORKLIFT_GROUP_VERSION = 'apis/forklift.konveyor.io/v1beta1';

/** The cluster's MTV release: `--mtv-version` when given, else read from its published Plan schema. */
export async function detectMtvRelease(client: KubeClient, given?: MtvRelease): Promise<DetectedRelease> {
  if (given !== undefined) return { release: given, source: 'flag' };
  const root = await client.openApi<{ paths?: Record<string, { serverRelativeURL?: string }> }>(OPENAPI_V3_PATH);
  const where = root?.paths?.[FORKLIFT_GROUP_VERSION]?.serverRelativeURL;
  if (where === undefined)
    throw unknownRelease(client, 'the API server publishes no OpenAPI v3 for forklift.konveyor.io');
  let document: { components?: { schemas?: Record<string, PlanSchema> } } | undefined;
  try {
    document = await client.openApi(where);
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) throw unknownRelease(client, `${where} is not served`);
    throw error;
  }
  const spec = document?.components?.schemas?.[PLAN_SCHEMA]?.properties?.spec?.properties;
  if (spec === undefined) throw unknownRelease(client, `its OpenAPI v3 has no ${PLAN_SCHEMA} schema`);
  return { release: releaseOfPlanFields(new Set(Object.keys(spec))), source: 'schema' };
}

interface PlanSchema {
  properties?: { spec?: { properties?: Record<string, unknown> } };
}

function unknownRelease(client: KubeClient, why: string): UserError {
  return new UserError(`the MTV release of ${client.server} cannot be read: ${why}`, {
    hint: `--mtv-version ${MTV_RELEASES.join('|')} (kubectl get csv -n openshift-mtv shows it)`,
  });
}
