/**
 * Colour measures for render tests.
 */

/** An sRGB or CIELAB triple. */
export type Rgb = [number, number, number];

/**
 * sRGB bytes → CIE L*a*b* (D65 white), CIE 15:2004 (sRGB transfer per IEC 61966-2-1).
 * @param rgb - sRGB bytes, 0–255 each.
 * @returns `[L*, a*, b*]`, L* in 0–100.
 */
export function lab([r, g, b]: Rgb): Rgb {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
  const Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
  const Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}
