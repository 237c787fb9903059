import { existsSync, mkdirSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { SwinupError, withFile } from '../errors.js';
import type { Logger } from '../logger.js';
import { isTip } from '../models/model-tip.js';
import type { OutputFormat, Task } from '../options.js';
import type { PrecisionChoice } from '../runtime/device-profile.js';
import type { Device } from '../runtime/execution-provider.js';
import { createUpscaler } from '../upscaler/upscaler.js';
import { asUsage, integerFlag, UsageError } from './arguments.js';
import { type CommandIO, untilInterrupted } from './command-io.js';
import { downloadReporter } from './download-progress.js';
import { expandInputs, sniffFile } from './input-files.js';
import { EXTENSION_FORMATS, planOutputs } from './output-plan.js';

/** Help text of the default command. */
export const UPSCALE_HELP = `Usage: swinup <inputs...> [options]

Upscales images (files, folders, globs). Without -o, writes <name>_x<scale>.<ext> beside each input.

Options:
  -o, --output PATH    output file (one input) or folder (several inputs, or a path ending in /)
  --scale N            enlargement factor (default: the model's scale)
  --width W            exact output width (height follows the aspect ratio unless --height is set)
  --height H           exact output height
  --model ID|FILE      catalog model id (see "swinup models list"; downloaded first if not installed) or a
                       .pth/.safetensors checkpoint (default: the best installed model for the task and scale)
  --offline            never download: a --model that is not installed fails (or set SWINUP_OFFLINE=1)
  --task T             sr | denoise | jpeg (default sr)
  --device D           auto | cuda | cpu (default auto, or SWINUP_DEVICE)
  --threads N          CPU threads for inference, in all (default: one per core, each running its own tiles)
  --tile N             largest tile side in input pixels; 0 runs the whole image as one tile (default 192 CPU, 256 GPU)
  --overlap N          tile overlap in input pixels (default 8 CPU, 16 GPU)
  --precision P        auto | fp32 | int8: linear-layer precision (default auto: int8 on the CPU, fp32 on a GPU)
  --format F           png | jpeg | webp | avif | tiff (default: the input's, or from -o's extension)
  --quality Q          1-100 for jpeg, webp, avif
  --alpha M            model | lanczos: how to enlarge transparency (default model)
  --strip              drop the ICC profile and EXIF (kept by default)
  --max-pixels N       refuse outputs larger than N pixels (default 100000000)
  --overwrite          replace existing outputs
  --json               print one JSON object per file, then a summary object
  --verbose            also print notes such as which execution provider runs and why

Exit codes: 0 all images upscaled, 1 some failed, 2 usage error, 130 stopped by Ctrl-C.`;

function parse(argv: string[]) {
  return asUsage(() =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        scale: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        model: { type: 'string' },
        task: { type: 'string' },
        device: { type: 'string' },
        threads: { type: 'string' },
        tile: { type: 'string' },
        overlap: { type: 'string' },
        precision: { type: 'string' },
        format: { type: 'string' },
        quality: { type: 'string' },
        alpha: { type: 'string' },
        strip: { type: 'boolean' },
        'max-pixels': { type: 'string' },
        overwrite: { type: 'boolean' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        offline: { type: 'boolean' },
      },
    }),
  );
}

/**
 * `swinup <inputs...>`: upscales a batch; one file's failure does not stop the others, Ctrl-C stops the batch
 * with nothing half-written.
 */
export function upscaleCommand(argv: string[], io: CommandIO): Promise<number> {
  return untilInterrupted((signal) => upscaleBatch(argv, io, signal));
}

async function upscaleBatch(argv: string[], io: CommandIO, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv);
  if (positionals.length === 0) throw new UsageError('no input images given');
  const files = await expandInputs(positionals);
  if (files.length === 0) throw new UsageError(`no images found in ${positionals.join(', ')}`);
  const output = values.output;
  const outputIsDir =
    output !== undefined &&
    (files.length > 1 || /[/\\]$/.test(output) || (existsSync(output) && statSync(output).isDirectory()));
  if (outputIsDir) {
    try {
      mkdirSync(output as string, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new SwinupError('OUTPUT_FAILED', `cannot create output folder ${output}: ${code}`, {
        cause: error,
      });
    }
  }
  const fromExtension =
    output !== undefined && !outputIsDir ? EXTENSION_FORMATS[extname(output).toLowerCase()] : undefined;
  const format = (values.format as OutputFormat | undefined) ?? fromExtension;
  const { logger, tips } = cliLogger(io, values.verbose ?? false);
  const upscaler = await createUpscaler({
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values.offline ? { offline: true } : {}),
    onDownload: downloadReporter(io),
    ...(values.task === undefined ? {} : { task: values.task as Task }),
    ...(values.device === undefined ? {} : { device: values.device as Device }),
    threads: integerFlag('threads', values.threads, 0, 1024),
    tileSize: integerFlag('tile', values.tile, 0, 4096),
    tileOverlap: integerFlag('overlap', values.overlap, 0, 512),
    ...(values.precision === undefined ? {} : { precision: values.precision as PrecisionChoice }),
    maxOutputPixels: integerFlag('max-pixels', values['max-pixels'], 1),
    signal,
    logger,
  }).finally(() => io.progress(''));
  if (!values.json) {
    io.err(`swinup: model ${upscaler.model} on ${upscaler.device}`);
    for (const tip of tips) io.err(`swinup: ${tip}`);
  }
  const imageOptions = {
    scale: integerFlag('scale', values.scale, 1, 16),
    width: integerFlag('width', values.width, 1),
    height: integerFlag('height', values.height, 1),
    ...(format === undefined ? {} : { format }),
    quality: integerFlag('quality', values.quality, 1, 100),
    keepMetadata: !values.strip,
    ...(values.alpha === undefined ? {} : { alpha: values.alpha as 'model' | 'lanczos' }),
    overwrite: values.overwrite ?? false,
  };
  const suffix = values.width || values.height ? '_sized' : `_x${imageOptions.scale ?? upscaler.scale}`;
  // Every output is named before any work, so clashes are resolved (and said) up front.
  const plan = planOutputs(files, { output, outputIsDir, format, suffix, contentFormat: sniffFile });
  for (const { note } of plan) if (note !== undefined && !values.json) io.err(`swinup: ${note}`);
  const started = performance.now();
  let failed = 0;
  try {
    for (const [index, { input: file, output: out }] of plan.entries()) {
      const fileStarted = performance.now();
      try {
        const result = await upscaler.upscaleToFile(file, out, {
          ...imageOptions,
          signal,
          onProgress: ({ tilesDone, tilesTotal }) =>
            io.progress(`[${index + 1}/${files.length}] ${file}: ${tilesDone}/${tilesTotal} tiles`),
        });
        const ms = Math.round(performance.now() - fileStarted);
        const { info } = result;
        if (values.json)
          io.out(JSON.stringify({ input: file, output: out, ok: true, ...info, milliseconds: ms }));
        else {
          io.progress('');
          // The model line names the primary; a chained pass through another model is named here.
          const models = info.models.some((m) => m !== upscaler.model)
            ? ` with ${info.models.join(' + ')}`
            : '';
          io.out(
            `${file} → ${out} (${info.width}×${info.height}, ×${info.passes.join('·×')}${models}, ${info.tiles} tiles, ${ms} ms)`,
          );
        }
      } catch (error) {
        failed++;
        const reported = withFile(error, file);
        if (signal.aborted || (reported instanceof SwinupError && reported.code === 'INVALID_OPTION'))
          throw reported;
        io.progress('');
        if (values.json)
          io.out(JSON.stringify({ input: file, ok: false, code: reported.code, error: reported.message }));
        else io.err(`swinup: ${reported.message}`);
      }
    }
  } finally {
    await upscaler.close();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const summary = {
    upscaled: files.length - failed,
    failed,
    seconds: Number(seconds),
    device: upscaler.device,
  };
  if (values.json) io.out(JSON.stringify({ summary }));
  else io.err(`swinup: ${summary.upscaled} upscaled, ${failed} failed in ${seconds} s on ${upscaler.device}`);
  return failed === 0 ? 0 : 1;
}

/**
 * Core's logger on stderr: warnings always; notes (e.g. the provider chosen) only with --verbose; tips are
 * kept for the caller to print after the model line, verbose or not.
 */
function cliLogger(io: CommandIO, verbose: boolean): { logger: Logger; tips: string[] } {
  const tips: string[] = [];
  const note = (m: string) => {
    if (isTip(m)) tips.push(m);
    else if (verbose) io.err(`swinup: ${m}`);
  };
  return { logger: { debug: note, info: note, warn: (m) => io.err(`swinup: warning: ${m}`) }, tips };
}
