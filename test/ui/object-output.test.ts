import { describe, expect, it } from 'vitest';
import { formatJson, formatYaml, kubeList, withoutHeader } from '../../src/ui/object-output.js';

describe("kubectl's output conventions", () => {
  it('wraps objects in a v1 List, as kubectl get -o json does', () => {
    expect(JSON.parse(formatJson(kubeList([{ kind: 'DataVolume' }])))).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ kind: 'DataVolume' }],
      metadata: { resourceVersion: '' },
    });
  });

  it('writes YAML as kubectl does: sequences not indented under their key, long strings on one line', () => {
    const long = 'x'.repeat(120);
    expect(formatYaml({ items: [{ name: 'a', note: long }] })).toBe(`items:\n- name: a\n  note: ${long}\n`);
  });

  it('drops only the header line with --no-headers', () => {
    expect(withoutHeader('NAME   AGE\na      1s\nb      2s', true)).toBe('a      1s\nb      2s');
    expect(withoutHeader('NAME   AGE', true)).toBe('');
    expect(withoutHeader('NAME   AGE\na      1s', false)).toBe('NAME   AGE\na      1s');
  });
});
