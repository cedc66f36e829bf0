/**
 * labelSelector and fieldSelector as kube-apiserver parses them: label requirements `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`; field requirements `f=v`, `f==v`, `f!=v` on the fields a resource
 * supports (metadata.name, metadata.namespace, plus its own).
 */
import type { KubeObject } from '../cluster-store.js';
import { badRequest } from './api-error.js';
import type { ResourceType } from './resource-type.js';

/** True when an object's labels or fields match. */
export type ObjectPredicate = (object: KubeObject) => boolean;

/** Splits at commas outside parentheses. */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;

function labelRequirement(text: string): ObjectPredicate {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  const opMatch = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
  const fail = (why: string) => badRequest(`unable to parse requirement: ${why}: ${JSON.stringify(text)}`);
  if (setMatch) {
    const [, key, op, list] = setMatch;
    if (!KEY.test(key)) throw fail('invalid label key');
    const values = new Set(
      list
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value !== ''),
    );
    if (values.size === 0) throw fail("for 'in', 'notin' operators, values set can't be empty");
    return (object) => {
      const value = object.metadata.labels?.[key];
      return op === 'in' ? value !== undefined && values.has(value) : value === undefined || !values.has(value);
    };
  }
  if (opMatch) {
    const [, key, op, rawValue] = opMatch;
    const value = rawValue.trim();
    if (!KEY.test(key)) throw fail('invalid label key');
    if (/[\s(),]/.test(value)) throw fail('invalid label value');
    return (object) => {
      const actual = object.metadata.labels?.[key];
      return op === '!=' ? actual !== value : actual === value;
    };
  }
  const exists = /^(!?)\s*(\S+)$/.exec(text);
  if (!exists || !KEY.test(exists[2])) throw fail('found unexpected token');
  const [, not, key] = exists;
  return (object) => (object.metadata.labels?.[key] !== undefined) !== (not === '!');
}

/** The predicate of a labelSelector; an empty selector matches everything. */
export function parseLabelSelector(selector: string | null): ObjectPredicate {
  if (!selector) return () => true;
  const all = requirements(selector).map(labelRequirement);
  return (object) => all.every((matches) => matches(object));
}

function fieldReader(type: ResourceType, field: string): (object: KubeObject) => string {
  if (field === 'metadata.name') return (object) => object.metadata.name ?? '';
  if (field === 'metadata.namespace') return (object) => object.metadata.namespace ?? '';
  const reader = type.fieldSelectors[field];
  if (reader) return reader;
  if (type.custom) {
    throw badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  throw badRequest(`field label not supported: ${field}`);
}

/** The predicate of a fieldSelector for `type`; 400 BadRequest for a field the resource does not support. */
export function parseFieldSelector(type: ResourceType, selector: string | null): ObjectPredicate {
  if (!selector) return () => true;
  const all = requirements(selector).map((text) => {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(text);
    if (!match) throw badRequest(`invalid selector: '${selector}'; can't understand '${text}'`);
    const [, field, op, value] = match;
    const read = fieldReader(type, field.trim());
    return (object: KubeObject) => (op === '!=' ? read(object) !== value.trim() : read(object) === value.trim());
  });
  return (object) => all.every((matches) => matches(object));
}
