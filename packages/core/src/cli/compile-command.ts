import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../atomic-file.js';
import { compileCheckpoint, parseShape } from '../compiler.js';
import { withFile } from '../errors.js';
import { CORE_VERSION } from '../package-info.js';
import { asUsage, numberFlag, UsageError } from './arguments.js';
import type { CommandIO } from './command-io.js';

/** Help text of `swinup compile`. */
export const COMPILE_HELP = `Usage: swinup compile <checkpoint.pth|.safetensors> --shape NxCxHxW -o model.onnx [options]

Compiles an official SwinIR checkpoint to an ONNX model for one fixed input shape (H and W must be
multiples of the model's window size) and prints the inferred architecture.

Options:
  --shape NxCxHxW      input shape, e.g. 1x3x64x64 (required)
  -o, --output FILE    where to write the .onnx file (required)
  --img-range N        pixel range the model was trained with (1, or 255 for the JPEG models)
  --state-dict-key K   params or params_ema (default: params_ema if present, else params)
  --fp16               store weights as float16 (for GPU use)
  --json               print the result as JSON`;

/** `swinup compile`: checkpoint in, ONNX model out. */
export async function compileCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        shape: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'img-range': { type: 'string' },
        'state-dict-key': { type: 'string' },
        fp16: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    }),
  );
  const [input, ...extra] = positionals;
  if (input === undefined || extra.length > 0) throw new UsageError('give exactly one checkpoint file');
  if (values.shape === undefined) throw new UsageError('--shape is required (e.g. --shape 1x3x64x64)');
  if (values.output === undefined) throw new UsageError('-o/--output is required');
  const imgRange = numberFlag('img-range', values['img-range']);
  const started = performance.now();
  try {
    const compiled = compileCheckpoint(await readFile(input), {
      shape: parseShape(values.shape),
      ...(imgRange === undefined ? {} : { imgRange }),
      ...(values['state-dict-key'] === undefined ? {} : { stateDictKey: values['state-dict-key'] }),
      float16Weights: values.fp16 ?? false,
      producerVersion: CORE_VERSION,
    });
    await writeFileAtomic(values.output, compiled.onnx);
    const ms = Math.round(performance.now() - started);
    const { shifted: _shifted, ...config } = compiled.config;
    if (values.json) {
      io.out(
        JSON.stringify({ output: values.output, bytes: compiled.onnx.byteLength, milliseconds: ms, config }),
      );
    } else {
      io.out(`${input} → ${values.output} (${(compiled.onnx.byteLength / 1e6).toFixed(2)} MB, ${ms} ms)`);
      for (const [key, value] of Object.entries(config)) io.out(`  ${key}: ${JSON.stringify(value)}`);
      if (compiled.imgRangeSource === 'default') {
        io.out(
          `  (img_range ${config.img_range} is the default for this task; set --img-range if the model used another)`,
        );
      }
    }
    return 0;
  } catch (error) {
    throw withFile(error, input);
  }
}
