import type { WeightTensor } from '../checkpoint/tensor.js';
import { SwinupError } from '../errors.js';

/** SwinIR reconstruction heads, as named by the official code (`none` is its empty string). */
export type Upsampler = 'pixelshuffle' | 'pixelshuffledirect' | 'nearest+conv' | 'none';

/** Architecture of a SwinIR model, with the official constructor's argument names. */
export interface SwinIRConfig {
  readonly upscale: number;
  readonly in_chans: number;
  readonly embed_dim: number;
  readonly depths: readonly number[];
  readonly num_heads: readonly number[];
  readonly window_size: number;
  readonly mlp_ratio: number;
  readonly upsampler: Upsampler;
  readonly resi_connection: '1conv' | '3conv';
  readonly img_range: number;
  /** Which blocks use shifted windows, per layer (odd blocks in every official model). */
  readonly shifted: readonly (readonly boolean[])[];
}

/** Settings a checkpoint's tensors do not determine. */
export interface ConfigHints {
  /** Pixel value range the model was trained with: 1 for most tasks, 255 for the JPEG models. */
  imgRange?: number;
}

/** How the config was obtained, for display. */
export interface InferredConfig {
  readonly config: SwinIRConfig;
  /** Where `img_range` came from: a hint, or the default for the detected task. */
  readonly imgRangeSource: 'hint' | 'default';
}

const BUFFER_SUFFIXES = ['.attn_mask', '.relative_position_index'];

/**
 * Derives a SwinIR config from tensor names and shapes, and checks every tensor against it so an
 * unknown layout fails here instead of producing a wrong model.
 */
export function inferConfig(
  weights: ReadonlyMap<string, WeightTensor>,
  otherTensors: readonly string[],
  hints: ConfigHints = {},
): InferredConfig {
  const shape = (name: string): readonly number[] | undefined => weights.get(name)?.shape;
  const first = shape('conv_first.weight');
  if (first === undefined || first.length !== 4) {
    throw unknownLayout('it has no conv_first.weight of rank 4');
  }
  const [embed_dim, in_chans] = first as [number, number];
  const depths: number[] = [];
  const num_heads: number[] = [];
  let window_size = 0;
  let mlp_ratio = 0;
  for (let i = 0; shape(`layers.${i}.residual_group.blocks.0.norm1.weight`) !== undefined; i++) {
    let depth = 0;
    while (shape(`layers.${i}.residual_group.blocks.${depth}.norm1.weight`) !== undefined) depth++;
    depths.push(depth);
    const table = shape(`layers.${i}.residual_group.blocks.0.attn.relative_position_bias_table`);
    const hidden = shape(`layers.${i}.residual_group.blocks.0.mlp.fc1.weight`);
    if (table === undefined || hidden === undefined)
      throw unknownLayout(`layer ${i} lacks attention or MLP weights`);
    num_heads.push(table[1] as number);
    const side = Math.round(Math.sqrt(table[0] as number));
    if (side * side !== table[0] || side % 2 === 0)
      throw unknownLayout('relative position table is not (2w-1)² rows');
    window_size = (side + 1) / 2;
    mlp_ratio = (hidden[0] as number) / embed_dim;
  }
  if (depths.length === 0) throw unknownLayout('it has no layers.N.residual_group.blocks');
  if (weights.has('absolute_pos_embed')) {
    throw unknownLayout(
      'absolute position embeddings (ape=True) are not supported; no official model uses them',
    );
  }
  const resi_connection = weights.has('conv_after_body.weight') ? '1conv' : '3conv';
  const { upsampler, upscale } = inferHead(weights, in_chans);
  const hasBuffers = otherTensors.some((n) => n.endsWith('.relative_position_index'));
  const shifted = depths.map((depth, i) =>
    Array.from({ length: depth }, (_, j) =>
      // Official blocks skip the shift when the training size fits one window; their mask buffer says so.
      hasBuffers ? weights.has(`layers.${i}.residual_group.blocks.${j}.attn_mask`) : j % 2 === 1,
    ),
  );
  const defaultRange = upsampler === 'none' && window_size === 7 ? 255 : 1;
  const config: SwinIRConfig = {
    upscale,
    in_chans,
    embed_dim,
    depths,
    num_heads,
    window_size,
    mlp_ratio,
    upsampler,
    resi_connection,
    img_range: hints.imgRange ?? defaultRange,
    shifted,
  };
  checkTensors(weights, expectedShapes(config));
  checkFinite(weights);
  return { config, imgRangeSource: hints.imgRange === undefined ? 'default' : 'hint' };
}

function inferHead(
  weights: ReadonlyMap<string, WeightTensor>,
  in_chans: number,
): { upsampler: Upsampler; upscale: number } {
  if (weights.has('conv_up1.weight')) {
    return { upsampler: 'nearest+conv', upscale: weights.has('conv_up2.weight') ? 4 : 2 };
  }
  if (weights.has('conv_before_upsample.0.weight')) {
    let upscale = 1;
    for (let k = 0; ; k += 2) {
      const conv = weights.get(`upsample.${k}.weight`);
      if (conv === undefined) break;
      const [out, inp] = conv.shape as [number, number];
      const factor = Math.round(Math.sqrt(out / inp));
      if (factor * factor * inp !== out || (factor !== 2 && factor !== 3)) {
        throw unknownLayout(`upsample.${k} does not expand channels by 4 or 9`);
      }
      upscale *= factor;
    }
    if (upscale === 1) throw unknownLayout('conv_before_upsample without upsample convolutions');
    return { upsampler: 'pixelshuffle', upscale };
  }
  const direct = weights.get('upsample.0.weight');
  if (direct !== undefined) {
    const upscale = Math.round(Math.sqrt((direct.shape[0] as number) / in_chans));
    if (upscale * upscale * in_chans !== direct.shape[0])
      throw unknownLayout('upsample.0 is not scale²×channels wide');
    return { upsampler: 'pixelshuffledirect', upscale };
  }
  if (weights.has('conv_last.weight')) return { upsampler: 'none', upscale: 1 };
  throw unknownLayout('no reconstruction head (conv_last, upsample or conv_up1) was found');
}

/** Every weight tensor the official model with `config` holds, with its shape. */
export function expectedShapes(config: SwinIRConfig): Map<string, number[]> {
  const e = config.embed_dim;
  const c = config.in_chans;
  const nf = 64;
  const shapes = new Map<string, number[]>();
  const conv = (name: string, out: number, inp: number, k: number) => {
    shapes.set(`${name}.weight`, [out, inp, k, k]);
    shapes.set(`${name}.bias`, [out]);
  };
  const vector = (name: string, n: number) => {
    shapes.set(`${name}.weight`, [n]);
    shapes.set(`${name}.bias`, [n]);
  };
  const linear = (name: string, out: number, inp: number) => {
    shapes.set(`${name}.weight`, [out, inp]);
    shapes.set(`${name}.bias`, [out]);
  };
  const residualConv = (name: string) => {
    if (config.resi_connection === '1conv') return conv(name, e, e, 3);
    conv(`${name}.0`, e / 4, e, 3);
    conv(`${name}.2`, e / 4, e / 4, 1);
    conv(`${name}.4`, e, e / 4, 3);
  };
  conv('conv_first', e, c, 3);
  vector('patch_embed.norm', e);
  const hidden = Math.round(e * config.mlp_ratio);
  const ws = config.window_size;
  config.depths.forEach((depth, i) => {
    for (let j = 0; j < depth; j++) {
      const b = `layers.${i}.residual_group.blocks.${j}`;
      vector(`${b}.norm1`, e);
      shapes.set(`${b}.attn.relative_position_bias_table`, [
        (2 * ws - 1) ** 2,
        config.num_heads[i] as number,
      ]);
      linear(`${b}.attn.qkv`, 3 * e, e);
      linear(`${b}.attn.proj`, e, e);
      vector(`${b}.norm2`, e);
      linear(`${b}.mlp.fc1`, hidden, e);
      linear(`${b}.mlp.fc2`, e, hidden);
    }
    residualConv(`layers.${i}.conv`);
  });
  vector('norm', e);
  residualConv('conv_after_body');
  switch (config.upsampler) {
    case 'pixelshuffle': {
      conv('conv_before_upsample.0', nf, e, 3);
      const factors = config.upscale === 3 ? [3] : Array.from({ length: Math.log2(config.upscale) }, () => 2);
      factors.forEach((f, k) => {
        conv(`upsample.${2 * k}`, f * f * nf, nf, 3);
      });
      conv('conv_last', c, nf, 3);
      break;
    }
    case 'pixelshuffledirect':
      conv('upsample.0', config.upscale ** 2 * c, e, 3);
      break;
    case 'nearest+conv':
      conv('conv_before_upsample.0', nf, e, 3);
      conv('conv_up1', nf, nf, 3);
      if (config.upscale === 4) conv('conv_up2', nf, nf, 3);
      conv('conv_hr', nf, nf, 3);
      conv('conv_last', c, nf, 3);
      break;
    case 'none':
      conv('conv_last', c, e, 3);
      break;
  }
  return shapes;
}

function checkTensors(weights: ReadonlyMap<string, WeightTensor>, expected: Map<string, number[]>): void {
  const problems: string[] = [];
  for (const [name, want] of expected) {
    const got = weights.get(name)?.shape;
    if (got === undefined) problems.push(`missing ${name}`);
    else if (got.join('x') !== want.join('x'))
      problems.push(`${name} is ${got.join('×')}, expected ${want.join('×')}`);
  }
  for (const name of weights.keys()) {
    if (!expected.has(name) && !BUFFER_SUFFIXES.some((s) => name.endsWith(s)))
      problems.push(`unexpected ${name}`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 6).join('; ');
    const more = problems.length > 6 ? ` (and ${problems.length - 6} more)` : '';
    throw unknownLayout(`its tensors do not match the inferred architecture: ${shown}${more}`);
  }
}

/** Damaged or diverged weights would only ever produce black or noise images, so they are refused up front. */
function checkFinite(weights: ReadonlyMap<string, WeightTensor>): void {
  for (const [name, tensor] of weights) {
    const index = tensor.data.findIndex((value) => !Number.isFinite(value));
    if (index === -1) continue;
    const value = tensor.data[index];
    throw new SwinupError(
      'CHECKPOINT_FORMAT',
      `the weights are damaged: tensor ${name} holds ${value} at element ${index}. ` +
        'Use an undamaged copy of the checkpoint (re-download or re-export it).',
    );
  }
}

function unknownLayout(why: string): SwinupError {
  return new SwinupError('UNKNOWN_ARCHITECTURE', `not a SwinIR checkpoint this compiler knows: ${why}`);
}
