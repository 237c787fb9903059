import { basename, extname, join, resolve } from 'node:path';
import type { SniffedFormat } from '../io/format-sniff.js';
import type { OutputFormat } from '../options.js';

/** Output file extension of each format swinup writes. */
export const FORMAT_EXTENSIONS: Record<OutputFormat, string> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tiff',
};

/** The format each writable file extension stands for. */
export const EXTENSION_FORMATS: Record<string, OutputFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.avif': 'avif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** Where the outputs of a batch go, as the CLI's flags say. */
export interface OutputPlanOptions {
  /** `-o`: a file (one input) or folder, or undefined for "beside each input". */
  readonly output: string | undefined;
  readonly outputIsDir: boolean;
  /** `--format` (or -o's extension); undefined keeps each input's own format. */
  readonly format: OutputFormat | undefined;
  /** Name suffix beside the input: `_x4`, `_sized`. */
  readonly suffix: string;
  /** The format an input's content announces (not its name), if known. */
  readonly contentFormat: (input: string) => SniffedFormat | undefined;
}

/** One input's output file, and a note when it had to be renamed to avoid another input's output. */
export interface PlannedOutput {
  readonly input: string;
  readonly output: string;
  readonly note: string | undefined;
}

/** The format an input is written in without `--format`: its own, or PNG where swinup cannot write that. */
function writtenFormat(input: string, sniffed: SniffedFormat | undefined): OutputFormat {
  const format = sniffed ?? extname(input).slice(1).toLowerCase();
  if (format === 'jpg' || format === 'jpeg') return 'jpeg';
  if (format === 'tif') return 'tiff';
  return format in FORMAT_EXTENSIONS ? (format as OutputFormat) : 'png';
}

function withNumber(path: string, n: number): string {
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${n}${extension}`;
}

/**
 * Names every output of a batch before any work starts. The extension follows the format actually written
 * (a PNG named photo.jpg gives photo_x4.png). Two inputs that would write one file (a.png and a.gif into one
 * folder, d1/x.png and d2/x.png) keep the first name for the first input and number the others (x-2.png),
 * with a note, so no result overwrites another.
 */
export function planOutputs(files: readonly string[], options: OutputPlanOptions): PlannedOutput[] {
  const taken = new Set<string>();
  return files.map((input) => {
    const format = options.format ?? writtenFormat(input, options.contentFormat(input));
    const extension = FORMAT_EXTENSIONS[format];
    const stem = basename(input, extname(input));
    let output: string;
    if (options.output === undefined)
      output = join(resolve(input, '..'), `${stem}${options.suffix}.${extension}`);
    else if (options.outputIsDir) output = join(options.output, `${stem}.${extension}`);
    else {
      // An -o name in a format swinup cannot write (out.gif) gets the written format's extension.
      const own = extname(options.output);
      output = EXTENSION_FORMATS[own.toLowerCase()]
        ? options.output
        : `${options.output.slice(0, options.output.length - own.length)}.${extension}`;
    }
    let planned = output;
    for (let n = 2; taken.has(resolve(planned)); n++) planned = withNumber(output, n);
    taken.add(resolve(planned));
    const note =
      planned === output ? undefined : `${input}: ${output} is another input's output; writing ${planned}`;
    return { input, output: planned, note };
  });
}
