import { parseArgs } from 'node:util';
import { evaluateSet, pairImages } from '../evaluation/evaluate-set.js';
import type { PrecisionChoice } from '../runtime/device-profile.js';
import { createUpscaler, type Upscaler } from '../upscaler/upscaler.js';
import { asUsage, integerFlag, UsageError } from './arguments.js';
import { type CommandIO, untilInterrupted } from './command-io.js';
import { downloadReporter } from './download-progress.js';

/** Help text of `swinup eval`. */
export const EVAL_HELP = `Usage: swinup eval --scale S --hr DIR --lr DIR [--model ID | --bicubic]
       [--tile N] [--overlap N] [--precision auto|fp32|int8] [--device D] [--json]

Measures Y-channel PSNR and SSIM (BT.601 luma, S pixels cropped from each border, 8-bit outputs),
per image and mean, of a model (default: the best installed one, as when upscaling) or of MATLAB-style
bicubic interpolation.
LR files are matched to HR files by name: baby.png ↔ babyx4.png.`;

/** `swinup eval`: the SR literature's quality numbers for a model on a test set. */
export async function evalCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = asUsage(() =>
    parseArgs({
      args: argv,
      options: {
        scale: { type: 'string' },
        hr: { type: 'string' },
        lr: { type: 'string' },
        model: { type: 'string' },
        bicubic: { type: 'boolean' },
        tile: { type: 'string' },
        overlap: { type: 'string' },
        precision: { type: 'string' },
        device: { type: 'string' },
        json: { type: 'boolean' },
      },
    }),
  );
  const scale = integerFlag('scale', values.scale, 1, 16);
  if (scale === undefined || values.hr === undefined || values.lr === undefined) {
    throw new UsageError('--scale, --hr and --lr are required');
  }
  if (values.bicubic && values.model !== undefined)
    throw new UsageError('give --model or --bicubic, not both');
  const pairs = await pairImages(values.hr, values.lr, scale);
  let upscaler: Upscaler | undefined;
  if (!values.bicubic) {
    // Ctrl-C while a --model downloads stops it cleanly; during the evaluation it ends the process as usual.
    upscaler = await untilInterrupted((signal) =>
      createUpscaler({
        ...(values.model === undefined ? {} : { model: values.model }),
        ...(values.device === undefined ? {} : { device: values.device as 'auto' | 'cpu' | 'cuda' }),
        tileSize: integerFlag('tile', values.tile, 0, 4096),
        tileOverlap: integerFlag('overlap', values.overlap, 0, 512),
        ...(values.precision === undefined ? {} : { precision: values.precision as PrecisionChoice }),
        onDownload: downloadReporter(io),
        signal,
      }),
    ).finally(() => io.progress(''));
  }
  try {
    const score = await evaluateSet(pairs, scale, upscaler);
    if (values.json) {
      io.out(JSON.stringify(score));
      return 0;
    }
    io.out(`×${scale} by ${score.method} (Y channel, border ${scale})`);
    for (const image of score.images)
      io.out(`  ${image.name.padEnd(16)} PSNR ${image.psnr.toFixed(2)} dB  SSIM ${image.ssim.toFixed(4)}`);
    io.out(`  ${'mean'.padEnd(16)} PSNR ${score.meanPsnr.toFixed(2)} dB  SSIM ${score.meanSsim.toFixed(4)}`);
    return 0;
  } finally {
    await upscaler?.close();
  }
}
