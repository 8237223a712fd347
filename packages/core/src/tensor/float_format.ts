/**
 * NumPy's float formatting for array elements (`FloatingFormat` with the default print
 * options: precision 8, `floatmode="maxprec"`, sign `-`), which TF's tensor `str` shows.
 * Values are float32, so "unique" digits are the fewest that read back as the same float32.
 */

/** Fractional digits positional notation shows at most (NumPy's `precision`). */
const PRECISION = 8;
/** Magnitudes from here on are shown in scientific notation (float32 has 6 decimal digits: 10^6). */
const SCIENTIFIC_FROM = 1e6;
/** Nonzero magnitudes below this are shown in scientific notation (1e-4 as a float32). */
const SMALLEST_POSITIONAL = Math.fround(1e-4);

/** The fewest significant digits (1 to 9) that read back as the same float32. */
function shortestDigits(value: number): number {
  for (let p = 1; p < 9; p++) if (Math.fround(Number(value.toPrecision(p))) === value) return p;
  return 9;
}

/** `nan`, `inf`, `-inf`, or undefined for a finite value. */
export function nonFinite(value: number): string | undefined {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return undefined;
}

/** A finite nonzero magnitude's exact decimal digits (no leading zeros) and the power of ten of the first one. */
function exactDigits(magnitude: number): { digits: string; exponent: number } {
  // 100 digits hold every normal float32 exactly (and a tie needs only the first 10).
  const [mantissa, exp = "0"] = magnitude.toExponential(99).split("e") as [string, string?];
  return { digits: mantissa.replace(".", "").replace(/0+$/, "") || "0", exponent: Number(exp) };
}

/**
 * `digits` rounded to `keep` digits, an exact tie to the even digit (NumPy's Dragon4; JS's
 * toPrecision rounds ties away from zero: 61720.3125 -> "61720.313", NumPy "61720.312").
 * The exponent grows by one when rounding carries (9.96 -> 10.0).
 */
function roundDigits(digits: string, exponent: number, keep: number): { digits: string; exponent: number } {
  if (keep <= 0) {
    // Everything rounds away: the value is at most half a unit of the last kept place.
    const up = keep === 0 && (digits[0]! > "5" || (digits[0] === "5" && /[1-9]/.test(digits.slice(1))));
    return up ? { digits: "1", exponent: exponent + 1 } : { digits: "", exponent };
  }
  if (digits.length <= keep) return { digits: digits.padEnd(keep, "0"), exponent };
  const next = digits[keep]!;
  const rest = /[1-9]/.test(digits.slice(keep + 1));
  const last = Number(digits[keep - 1]);
  const roundUp = next > "5" || (next === "5" && (rest || last % 2 === 1));
  let kept = digits.slice(0, keep);
  if (!roundUp) return { digits: kept, exponent };
  const bumped = (BigInt(kept) + 1n).toString();
  if (bumped.length > keep) return { digits: bumped.slice(0, keep), exponent: exponent + 1 };
  kept = bumped.padStart(keep, "0");
  return { digits: kept, exponent };
}

/** A value's scientific parts with `fractionDigits` mantissa digits after the point (unique when undefined). */
function scientificParts(value: number, fractionDigits?: number): { int: string; frac: string; exponent: number } {
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  if (value === 0) return { int: `${sign}0`, frac: "0".repeat(fractionDigits ?? 0), exponent: 0 };
  const exact = exactDigits(Math.abs(value));
  const rounded = roundDigits(exact.digits, exact.exponent, (fractionDigits ?? shortestDigits(value) - 1) + 1);
  return { int: `${sign}${rounded.digits[0]}`, frac: rounded.digits.slice(1), exponent: rounded.exponent };
}

/**
 * A value's positional parts: its unique digits, rounded to at most `maxFraction` digits
 * after the point (NumPy's `precision`; none for Python's repr).
 */
function positionalParts(value: number, maxFraction = Infinity): { int: string; frac: string } {
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  if (value === 0) return { int: `${sign}0`, frac: "" };
  const exact = exactDigits(Math.abs(value));
  const keep = Math.min(shortestDigits(value), exact.exponent + 1 + maxFraction);
  const { digits, exponent } = roundDigits(exact.digits, exact.exponent, keep);
  if (digits === "") return { int: `${sign}0`, frac: "" };
  // `exponent` is the power of ten of the first digit: place the point after it.
  const padded = exponent < 0 ? "0".repeat(-exponent) + digits : digits.padEnd(exponent + 1, "0");
  const point = Math.max(exponent, 0) + 1;
  return { int: sign + padded.slice(0, point), frac: padded.slice(point).replace(/0+$/, "") };
}

/** Python's exponent text: a sign and at least `digits` digits (`e-05`, `e+100`). */
function exponentText(exponent: number, digits: number): string {
  return `e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(digits, "0")}`;
}

/**
 * NumPy's text for a float32 scalar (what a 0-d tensor shows): `8.0`, `0.33333334`, `1e-05`,
 * `1.234567e+06`: unique digits, scientific below 1e-4 and from 1e6 on.
 *
 * ```ts
 * formatFloatScalar(Math.fround(1e-5)); // "1e-05"
 * ```
 */
export function formatFloatScalar(value: number): string {
  const special = nonFinite(value);
  if (special !== undefined) return special;
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= SCIENTIFIC_FROM)) {
    const { int, frac, exponent } = scientificParts(value);
    return `${int}${frac === "" ? "" : `.${frac}`}${exponentText(exponent, 2)}`;
  }
  const { int, frac } = positionalParts(value);
  return `${int}.${frac === "" ? "0" : frac}`;
}

/**
 * A formatter for the elements of one array, NumPy style: scientific notation when the
 * values span too much (largest magnitude >= 1e6, smallest nonzero < 1e-4, or a ratio
 * over 1e3), each mantissa with the same number of digits (`1.e-05`, `-2.5e+03`); otherwise
 * positional with the decimal points aligned (`1.5 `, `2.25`). nan and inf are
 * right-aligned to the common width. Every element gets the same width.
 *
 * ```ts
 * const f = floatFormatter([1e-5, -2500]);
 * [f(1e-5), f(-2500)]; // [" 1.0e-05", "-2.5e+03"]
 * ```
 */
export function floatFormatter(values: readonly number[]): (value: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const magnitudes = finite.filter((v) => v !== 0).map(Math.abs);
  const max = Math.max(0, ...magnitudes);
  const min = magnitudes.length === 0 ? 0 : Math.min(...magnitudes);
  // NumPy compares in the array's precision (float32) and, since 2.3, switches at 10^6 for
  // float32 (10 to the dtype's decimal precision, at most 1e8).
  const scientific = magnitudes.length > 0 && (max >= SCIENTIFIC_FROM || min < SMALLEST_POSITIONAL || Math.fround(max / min) > 1e3);
  let padLeft = 0;
  let padRight = 0;
  let format: (value: number) => string;
  if (finite.length === 0) {
    format = () => "";
  } else if (scientific) {
    const parts = finite.map((v) => scientificParts(v));
    const precision = Math.max(...parts.map((p) => p.frac.length));
    const expDigits = Math.max(2, ...parts.map((p) => String(Math.abs(p.exponent)).length));
    padLeft = Math.max(...parts.map((p) => p.int.length));
    padRight = precision + 2 + expDigits;
    format = (v) => {
      const p = scientificParts(v, precision);
      return `${p.int.padStart(padLeft)}.${p.frac}${exponentText(p.exponent, expDigits)}`;
    };
  } else {
    const parts = finite.map((v) => positionalParts(v, PRECISION));
    padLeft = Math.max(...parts.map((p) => p.int.length));
    padRight = Math.max(...parts.map((p) => p.frac.length));
    format = (v) => {
      const p = positionalParts(v, PRECISION);
      return `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight)}`;
    };
  }
  if (finite.length !== values.length) {
    const negativeInf = values.some((v) => v === -Infinity);
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + (negativeInf ? 1 : 0) - (padRight + 1));
  }
  const width = padLeft + padRight + 1;
  return (value) => {
    const special = nonFinite(value);
    return special !== undefined ? special.padStart(width) : format(value);
  };
}
