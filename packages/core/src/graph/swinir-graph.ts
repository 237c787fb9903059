/**
 * Assembles the ONNX graph of a SwinIR model: shallow features, residual Swin groups of window-attention
 * blocks, and the upsampling head, exactly as the official forward pass.
 */
import type { WeightTensor } from '../checkpoint/tensor.js';
import { SwinupError } from '../errors.js';
import type { EmitOptions, InputShape } from './emit-options.js';
import { GraphBuilder } from './graph-builder.js';
import { LayerEmitter } from './layer-emitter.js';
import type { OnnxGraph } from './onnx-model.js';
import type { SwinIRConfig } from './swinir-config.js';
import { WindowAttention } from './window-attention.js';

export type { EmitOptions, InputShape, Precision } from './emit-options.js';

const RGB_MEAN = [0.4488, 0.4371, 0.404];

/** Builds the ONNX graph of a SwinIR model for one fixed input shape, exactly as the official forward pass. */
export function buildSwinIRGraph(
  config: SwinIRConfig,
  weights: ReadonlyMap<string, WeightTensor>,
  shape: InputShape,
  options: EmitOptions = {},
): OnnxGraph {
  const [batch, channels, height, width] = shape;
  const ws = config.window_size;
  if (channels !== config.in_chans) {
    throw new SwinupError(
      'INVALID_SHAPE',
      `shape has ${channels} channels but the model takes ${config.in_chans}`,
    );
  }
  if (height % ws !== 0 || width % ws !== 0 || height <= 0 || width <= 0 || batch <= 0) {
    throw new SwinupError(
      'INVALID_SHAPE',
      `shape ${shape.join('x')} is not allowed: height and width must be positive multiples of the window size ${ws}`,
    );
  }
  const g = new GraphBuilder();
  const emitter = new SwinIREmitter(new LayerEmitter(g, weights, options), config, shape, options);
  const output = emitter.forward('input');
  g.rename(output, 'output');
  const scale = config.upscale;
  return g.build(
    'swinir',
    [{ name: 'input', dataType: 'float32', shape: [...shape] }],
    [{ name: 'output', dataType: 'float32', shape: [batch, channels, height * scale, width * scale] }],
  );
}

class SwinIREmitter {
  private readonly g: GraphBuilder;
  private readonly attention: WindowAttention;

  constructor(
    private readonly layers: LayerEmitter,
    private readonly config: SwinIRConfig,
    private readonly shape: InputShape,
    options: EmitOptions,
  ) {
    this.g = layers.g;
    this.attention = new WindowAttention(layers, config, shape, options.attentionChunk);
  }

  forward(input: string): string {
    const { g, config, layers } = this;
    const mean = this.meanConstant();
    let x = mean === undefined ? input : g.op('Sub', [input, mean]);
    if (config.img_range !== 1) x = g.op('Mul', [x, layers.scalar(config.img_range)]);
    const first = layers.conv('conv_first', x);
    const body = g.op('Add', [this.residualConv('conv_after_body', this.features(first)), first]);
    let out: string;
    switch (config.upsampler) {
      case 'pixelshuffle':
        out = layers.conv('conv_last', this.pixelShuffleHead(body));
        break;
      case 'pixelshuffledirect':
        out = g.op('DepthToSpace', [layers.conv('upsample.0', body)], {
          blocksize: config.upscale,
          mode: 'CRD',
        });
        break;
      case 'nearest+conv':
        out = this.nearestConvHead(body);
        break;
      case 'none':
        out = g.op('Add', [x, layers.conv('conv_last', body)]);
        break;
    }
    if (config.img_range !== 1) out = g.op('Div', [out, layers.scalar(config.img_range)]);
    return mean === undefined ? g.op('Identity', [out]) : g.op('Add', [out, mean]);
  }

  private meanConstant(): string | undefined {
    if (this.config.in_chans !== 3) return undefined;
    return this.g.floats('rgb_mean', [1, 3, 1, 1], RGB_MEAN);
  }

  private residualConv(name: string, x: string): string {
    const { layers } = this;
    if (this.config.resi_connection === '1conv') return layers.conv(name, x);
    const a = layers.leakyRelu(layers.conv(`${name}.0`, x), 0.2);
    const b = layers.leakyRelu(layers.conv(`${name}.2`, a), 0.2);
    return layers.conv(`${name}.4`, b);
  }

  /** NCHW feature map → B×L×C tokens. */
  private toTokens(x: string): string {
    const [b, , h, w] = this.shape;
    const flat = this.g.op('Reshape', [x, this.layers.ints([b, this.config.embed_dim, h * w])]);
    return this.g.op('Transpose', [flat], { perm: [0, 2, 1] });
  }

  /** B×L×C tokens → NCHW feature map. */
  private toImage(t: string): string {
    const [b, , h, w] = this.shape;
    const chw = this.g.op('Transpose', [t], { perm: [0, 2, 1] });
    return this.g.op('Reshape', [chw, this.layers.ints([b, this.config.embed_dim, h, w])]);
  }

  private features(x: string): string {
    let t = this.layers.layerNorm('patch_embed.norm', this.toTokens(x));
    this.config.depths.forEach((depth, i) => {
      const residual = t;
      for (let j = 0; j < depth; j++) {
        t = this.block(`layers.${i}.residual_group.blocks.${j}`, t, i, this.config.shifted[i]?.[j] ?? false);
      }
      const conv = this.residualConv(`layers.${i}.conv`, this.toImage(t));
      t = this.g.op('Add', [this.toTokens(conv), residual]);
    });
    return this.toImage(this.layers.layerNorm('norm', t));
  }

  private block(name: string, t: string, layer: number, shifted: boolean): string {
    const { layers } = this;
    const shift = shifted ? Math.floor(this.config.window_size / 2) : 0;
    const normed = layers.layerNorm(`${name}.norm1`, t);
    const attended = this.attention.attend(`${name}.attn`, normed, layer, shift);
    const { sum: afterAttention, normed: normed2 } = layers.addAndNorm(`${name}.norm2`, attended, t);
    const hidden = layers.gelu(layers.linear(`${name}.mlp.fc1`, normed2));
    return this.g.op('Add', [afterAttention, layers.linear(`${name}.mlp.fc2`, hidden)]);
  }

  private pixelShuffleHead(body: string): string {
    const { layers } = this;
    let x = layers.leakyRelu(layers.conv('conv_before_upsample.0', body), 0.01);
    const factors =
      this.config.upscale === 3 ? [3] : Array.from({ length: Math.log2(this.config.upscale) }, () => 2);
    factors.forEach((f, k) => {
      x = this.g.op('DepthToSpace', [layers.conv(`upsample.${2 * k}`, x)], { blocksize: f, mode: 'CRD' });
    });
    return x;
  }

  private nearestConvHead(body: string): string {
    const { g, layers } = this;
    const doubled = (x: string) =>
      g.op('Resize', [x, '', g.floats('resize_scales_2x', [4], [1, 1, 2, 2])], {
        mode: 'nearest',
        coordinate_transformation_mode: 'asymmetric',
        nearest_mode: 'floor',
      });
    let x = layers.leakyRelu(layers.conv('conv_before_upsample.0', body), 0.01);
    x = layers.leakyRelu(layers.conv('conv_up1', doubled(x)), 0.2);
    if (this.config.upscale === 4) x = layers.leakyRelu(layers.conv('conv_up2', doubled(x)), 0.2);
    return layers.conv('conv_last', layers.leakyRelu(layers.conv('conv_hr', x), 0.2));
  }
}
