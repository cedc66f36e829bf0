/**
 * Kubernetes quantities (resource.Quantity) as numbers: "500Gi", "280M", "1.5Ti", "1e9", "0".
 * Grammar: sign? (digits[.digits] | .digits) then a binary suffix (Ki..Ei), a decimal suffix (n u m "" k M G T P E)
 * or a decimal exponent (e/E followed by a signed number).
 */

/** The pattern Kubernetes CRDs use for quantity strings (it also admits a fractional exponent, which the parser refuses). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?[0-9]+))?$/;

const BINARY_POWER: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * The number of bytes (or bytes/s) a quantity stands for, rounded away from zero to a whole number like
 * Quantity.Value() ("100m" is 1, "-0.5" is -1).
 * Throws a plain Error for anything that is not a finite Kubernetes quantity.
 */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} is not a finite quantity`);
    return wholeAwayFromZero(value);
  }
  const match = QUANTITY.exec(value);
  if (!match) throw new Error(`"${value}" is not a Kubernetes quantity`);
  const [, mantissa, binary, decimal, exponent] = match;
  // Scaling a decimal string by a power of ten through Number() rounds once, so "1.1k" is exactly 1100;
  // a power of two scales exactly.
  const amount = binary
    ? Number(mantissa) * 2 ** BINARY_POWER[binary]
    : Number(`${mantissa}e${decimal ? DECIMAL_EXPONENT[decimal] : (exponent ?? '0')}`);
  if (!Number.isFinite(amount)) throw new Error(`"${value}" is too large`);
  return wholeAwayFromZero(amount);
}

function wholeAwayFromZero(amount: number): number {
  const whole = Math.ceil(Math.abs(amount));
  return amount < 0 ? -whole : whole;
}
