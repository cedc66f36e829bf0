import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuantity, QUANTITY_PATTERN } from '../src/quantity.js';

const Ki = 1024;
const Mi = Ki * 1024;
const Gi = Mi * 1024;
const Ti = Gi * 1024;

describe('parseQuantity', () => {
  it.each([
    ['500Gi', 500 * Gi],
    ['100Mi', 100 * Mi],
    ['1.5Ti', 1.5 * Ti],
    ['1Ki', Ki],
    ['2Pi', 2 * 1024 * Ti],
    ['1Ei', 2 ** 60],
    ['280M', 280e6],
    ['10G', 10e9],
    ['1k', 1000],
    ['1.1k', 1100],
    ['3T', 3e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1e9', 1e9],
    ['1E3', 1000],
    ['5e+2', 500],
    ['12e-1', 2],
    ['0', 0],
    ['-0', 0],
    ['42', 42],
    ['+42', 42],
    ['.5Ki', 512],
    ['5.', 5],
    ['5.Gi', 5 * Gi],
    ['100m', 1],
    ['1500m', 2],
    ['2000m', 2],
    ['1u', 1],
    ['1n', 1],
    ['-5Gi', -5 * Gi],
    ['-1500m', -2],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseQuantity(text)).toBe(bytes);
  });

  it.each([
    [0, 0],
    [1024, 1024],
    [1.2, 2],
    [-3, -3],
  ])('takes the plain number %d as %d bytes', (value, bytes) => {
    expect(parseQuantity(value)).toBe(bytes);
  });

  it.each([
    ['', '"" is not a Kubernetes quantity'],
    ['Gi', '"Gi" is not a Kubernetes quantity'],
    ['5 Gi', '"5 Gi" is not a Kubernetes quantity'],
    ['5gi', '"5gi" is not a Kubernetes quantity'],
    ['5GB', '"5GB" is not a Kubernetes quantity'],
    ['5K', '"5K" is not a Kubernetes quantity'],
    ['5Ki ', '"5Ki " is not a Kubernetes quantity'],
    ['1e', '"1e" is not a Kubernetes quantity'],
    ['1e1.5', '"1e1.5" is not a Kubernetes quantity'],
    ['.', '"." is not a Kubernetes quantity'],
    ['--1', '"--1" is not a Kubernetes quantity'],
    ['0x10', '"0x10" is not a Kubernetes quantity'],
    ['1e400', '"1e400" is too large'],
  ])('refuses %j', (text, message) => {
    expect(() => parseQuantity(text)).toThrow(message);
  });

  it.each([
    [Number.NaN, 'NaN is not a finite quantity'],
    [Number.POSITIVE_INFINITY, 'Infinity is not a finite quantity'],
  ])('refuses the number %d', (value, message) => {
    expect(() => parseQuantity(value)).toThrow(message);
  });

  it('scales whole numbers by binary suffixes exactly', () => {
    const suffixes = fc.constantFrom(['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40]);
    fc.assert(
      fc.property(fc.nat(1_000_000), suffixes, (n, [suffix, power]) => {
        expect(parseQuantity(`${n}${suffix}`)).toBe(n * 2 ** (power as number));
      }),
    );
  });

  it('accepts only strings that the CRD pattern accepts', () => {
    const pattern = new RegExp(QUANTITY_PATTERN);
    const quantityLike = fc.stringMatching(/^[+-]?[0-9.]{0,4}(Ki|Mi|Gi|[numkMGTPE]|[eE][+-]?[0-9.]{0,3})?$/);
    fc.assert(
      fc.property(quantityLike, (text) => {
        let accepted = true;
        try {
          parseQuantity(text);
        } catch {
          accepted = false;
        }
        if (accepted) expect(pattern.test(text)).toBe(true);
      }),
    );
  });

  it('reads every CRD-pattern string except a fractional exponent, which Kubernetes refuses too', () => {
    const crdQuantity = fc.stringMatching(new RegExp(QUANTITY_PATTERN));
    fc.assert(
      fc.property(crdQuantity, (text) => {
        if (/[eE][+-]?[0-9]*\./.test(text)) expect(() => parseQuantity(text)).toThrow('is not a Kubernetes quantity');
        else expect(() => parseQuantity(text)).not.toThrow('is not a Kubernetes quantity');
      }),
    );
  });
});
