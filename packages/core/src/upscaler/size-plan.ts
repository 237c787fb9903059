import { SwinupError } from '../errors.js';
import { planScale } from '../models/scale-plan.js';

/** The output size an image asks for and the model passes that reach it. */
export interface SizePlan {
  readonly targetW: number;
  readonly targetH: number;
  /** Model scales to run in order; a Lanczos resize makes up the rest. */
  readonly passes: readonly number[];
}

/** What decides a size plan besides the image's own size. */
export interface SizePlanRequest {
  readonly scale: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** Scale used when neither scale nor size is asked for: the default model's. */
  readonly defaultScale: number;
  /** Scales of the models at hand. */
  readonly modelScales: readonly number[];
  readonly maxOutputPixels: number;
}

/**
 * The output size asked for (pure): `width`/`height` (one alone keeps the aspect ratio, rounded), else the
 * scale, else `defaultScale`.
 */
export function targetSize(
  w: number,
  h: number,
  request: Partial<Pick<SizePlanRequest, 'scale' | 'width' | 'height'>> &
    Pick<SizePlanRequest, 'defaultScale'>,
): [width: number, height: number] {
  if (request.width !== undefined || request.height !== undefined) {
    return [
      request.width ?? Math.max(1, Math.round((w * (request.height as number)) / h)),
      request.height ?? Math.max(1, Math.round((h * (request.width as number)) / w)),
    ];
  }
  const scale = request.scale ?? request.defaultScale;
  return [w * scale, h * scale];
}

/**
 * Plans an image's output size and passes (pure): `width`/`height` (one keeps the aspect ratio) or a scale;
 * the smallest chain of model passes that reaches it; refused before any work when the largest intermediate
 * result would exceed `maxOutputPixels`.
 */
export function planSize(w: number, h: number, request: SizePlanRequest): SizePlan {
  const [targetW, targetH] = targetSize(w, h, request);
  const factor = Math.max(targetW / w, targetH / h);
  const plan = request.modelScales.includes(factor)
    ? { passes: [factor], reached: factor }
    : planScale(factor, request.modelScales);
  if (plan === undefined) {
    throw new SwinupError(
      'MODEL_NOT_FOUND',
      `no installed model can enlarge by ${factor}; see \`swinup models list\``,
    );
  }
  const passW = w * plan.reached;
  const passH = h * plan.reached;
  // The larger of the model passes' result and the requested size is what the limit is about.
  const [bigW, bigH] = targetW * targetH >= passW * passH ? [targetW, targetH] : [passW, passH];
  const largest = bigW * bigH;
  if (largest > request.maxOutputPixels) {
    throw new SwinupError(
      'IMAGE_TOO_LARGE',
      `image is ${w}×${h}; enlarging it needs a ${bigW}×${bigH} result ` +
        `(${(largest / 1e6).toFixed(1)} MP), over the limit of ${(request.maxOutputPixels / 1e6).toFixed(1)} MP ` +
        '(maxOutputPixels / --max-pixels)',
    );
  }
  return { targetW, targetH, passes: plan.passes };
}
