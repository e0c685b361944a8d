import { fnv1a64, SplitMix64 } from '../../scoring/prng';

/**
 * crucible-shapes/1: small grey-scale images of four shape classes (disc, square, triangle, cross)
 * drawn from a task's secret seed, for the `image` (denoising) task type. Pixels are in [-1, 1]:
 * background -1, the shape at an intensity in [0.3, 1]. Every random number comes from SplitMix64
 * (scoring/prng.ts) seeded with fnv1a64(seed + ":shapes"), so an auditor regenerates the images
 * exactly from the revealed seed. The output is pinned by the version: a change is a new version.
 */
export const SHAPES_GENERATOR_VERSION = 'crucible-shapes/1';
export const SHAPE_CLASSES = ['disc', 'square', 'triangle', 'cross'] as const;

export interface GeneratedImages {
  /** Row-major [count, 1, size, size], float32. */
  pixels: Float32Array;
  labels: Uint8Array;
}

/** One standard normal by Box-Muller (cosine branch only) from two uniforms; 1 - u keeps log's argument in (0, 1]. */
export function standardNormal(rng: SplitMix64): number {
  const u = 1 - rng.nextDouble();
  const v = rng.nextDouble();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function generateShapes(seed: string, count: number, size: number): GeneratedImages {
  const rng = new SplitMix64(fnv1a64(`${seed}:shapes`));
  const pixels = new Float32Array(count * size * size).fill(-1);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) {
    const label = rng.nextBelow(SHAPE_CLASSES.length);
    const cx = size * (0.3 + 0.4 * rng.nextDouble());
    const cy = size * (0.3 + 0.4 * rng.nextDouble());
    const r = size * (0.15 + 0.15 * rng.nextDouble());
    const value = 0.3 + 0.7 * rng.nextDouble();
    labels[i] = label;
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        if (inside(label, x + 0.5 - cx, y + 0.5 - cy, r)) pixels[(i * size + y) * size + x] = value;
      }
    }
  }
  return { pixels, labels };
}

function inside(label: number, dx: number, dy: number, r: number): boolean {
  switch (label) {
    case 0:
      return dx * dx + dy * dy <= r * r;
    case 1:
      return Math.abs(dx) <= 0.8 * r && Math.abs(dy) <= 0.8 * r;
    case 2:
      return dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2;
    default:
      return (Math.abs(dx) <= r / 3 && Math.abs(dy) <= r) || (Math.abs(dy) <= r / 3 && Math.abs(dx) <= r);
  }
}

/** DDPM forward process: linear betas from betaStart to betaEnd over `timesteps` steps. */
export interface NoiseSchedule {
  timesteps: number;
  betaStart: number;
  betaEnd: number;
}

/** alphaBar[t] = prod_{s<=t} (1 - beta_s), beta_s = betaStart + (betaEnd - betaStart) * s / (timesteps - 1). */
export function alphaBars(schedule: NoiseSchedule): Float64Array {
  const { timesteps, betaStart, betaEnd } = schedule;
  const out = new Float64Array(timesteps);
  let product = 1;
  for (let s = 0; s < timesteps; s += 1) {
    product *= 1 - (betaStart + ((betaEnd - betaStart) * s) / Math.max(1, timesteps - 1));
    out[s] = product;
  }
  return out;
}

export interface DrawnNoise {
  timestep: number;
  /** N(0, 1) per pixel, rounded to float32 (the target the model must predict). */
  noise: Float32Array;
  /** sqrt(alphaBar[t]) * clean + sqrt(1 - alphaBar[t]) * noise, in float64, rounded to float32. */
  noisy: Float32Array;
}

/**
 * The timesteps and noise of the hidden test examples: SplitMix64 seeded with fnv1a64(seed + ":noise");
 * per test example in order, a timestep nextBelow(timesteps), then one standardNormal per pixel.
 */
export function drawTestNoise(seed: string, cleanImages: readonly Float32Array[], schedule: NoiseSchedule): DrawnNoise[] {
  const rng = new SplitMix64(fnv1a64(`${seed}:noise`));
  const bars = alphaBars(schedule);
  return cleanImages.map((clean) => {
    const timestep = rng.nextBelow(schedule.timesteps);
    const noise = new Float32Array(clean.length);
    for (let p = 0; p < clean.length; p += 1) noise[p] = standardNormal(rng);
    const a = Math.sqrt(bars[timestep]);
    const b = Math.sqrt(1 - bars[timestep]);
    const noisy = new Float32Array(clean.length);
    for (let p = 0; p < clean.length; p += 1) noisy[p] = a * clean[p] + b * noise[p];
    return { timestep, noise, noisy };
  });
}
