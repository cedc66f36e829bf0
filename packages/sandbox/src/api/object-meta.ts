/**
 * ObjectMeta rules of kube-apiserver: name formats, generateName, label syntax and the timestamps it writes.
 */
import { randomInt } from 'node:crypto';
import type { StatusCause } from './api-error.js';
import type { ResourceType } from './resource-type.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** The characters kube's generateName suffix draws from (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `prefix` plus five random characters, the prefix cut to leave room (kube's SimpleNameGenerator). */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${prefix.slice(0, 58)}${suffix}`;
}

/** RFC 3339 with whole seconds, as metav1.Time serialises. */
export function timestamp(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

function invalidValue(field: string, value: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}

/** The name rule of each kind: namespaces are labels, services DNS-1035 labels, the rest subdomains. */
export function nameCauses(type: ResourceType, name: string): StatusCause[] {
  if (type.plural === 'namespaces') {
    return LABEL.test(name) && name.length <= 63 ? [] : [invalidValue('metadata.name', name, LABEL_MESSAGE)];
  }
  if (type.plural === 'services' && !type.group) {
    return DNS1035.test(name) && name.length <= 63 ? [] : [invalidValue('metadata.name', name, DNS1035_MESSAGE)];
  }
  if (name.length > 253) return [invalidValue('metadata.name', name, 'must be no more than 253 characters')];
  return SUBDOMAIN.test(name) ? [] : [invalidValue('metadata.name', name, SUBDOMAIN_MESSAGE)];
}

function qualifiedNameCauses(field: string, key: string): StatusCause[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const causes: StatusCause[] = [];
  if (slash >= 0 && (!SUBDOMAIN.test(prefix) || prefix.length > 253)) {
    causes.push(invalidValue(field, key, `prefix part ${SUBDOMAIN_MESSAGE}`));
  }
  if (!QUALIFIED_NAME.test(name) || name.length > 63) causes.push(invalidValue(field, key, NAME_PART_MESSAGE));
  return causes;
}

/** Label keys and values, and annotation keys, as ValidateObjectMeta checks them. */
export function metadataCauses(metadata: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [map, checkValue] of [
    ['labels', true],
    ['annotations', false],
  ] as const) {
    const entries = metadata[map];
    if (entries === undefined || entries === null) continue;
    if (typeof entries !== 'object' || Array.isArray(entries)) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: must be a map of strings',
        field: `metadata.${map}`,
      });
      continue;
    }
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      causes.push(...qualifiedNameCauses(`metadata.${map}`, key));
      if (typeof value !== 'string') {
        causes.push(invalidValue(`metadata.${map}`, String(value), 'must be a string'));
      } else if (checkValue && (!LABEL_VALUE.test(value) || value.length > 63)) {
        causes.push(invalidValue(`metadata.${map}`, value, LABEL_VALUE_MESSAGE));
      }
    }
  }
  return causes;
}
