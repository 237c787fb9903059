/** How the CLI shows a model download: a redrawn bar on a terminal, a plain line otherwise. */
import type { DownloadProgress } from '../models/model-download.js';
import { megabytes } from '../models/model-download.js';
import type { ModelDownloadProgress } from '../options.js';
import type { CommandIO } from './command-io.js';

/** Draws `id [█████░░░░░] 52% 35.0/67.3 MB`, redrawn only when the percentage (or a megabyte) changes. */
export function progressDrawer(id: string, io: CommandIO): (progress: DownloadProgress) => void {
  const width = 24;
  let last = -1;
  return ({ done, total }) => {
    const step = total === undefined ? Math.floor(done / 1e6) : Math.floor((100 * done) / total);
    if (step === last) return;
    last = step;
    if (total === undefined) {
      io.progress(`${id} ${megabytes(done)}`);
      return;
    }
    const filled = Math.round((width * done) / total);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    io.progress(`${id} [${bar}] ${step}% ${(done / 1e6).toFixed(1)}/${megabytes(total)}`);
  };
}

/**
 * The `onDownload` of an upscale: a model named with --model that is not installed shows a progress bar on a
 * terminal, else one `downloading <id> from <url>` line when it starts. The caller clears the bar.
 */
export function downloadReporter(io: CommandIO): (progress: ModelDownloadProgress) => void {
  const drawers = new Map<string, (progress: DownloadProgress) => void>();
  return (progress) => {
    let draw = drawers.get(progress.id);
    if (draw === undefined) {
      draw = io.interactive ? progressDrawer(progress.id, io) : () => {};
      drawers.set(progress.id, draw);
      if (!io.interactive) io.err(`swinup: downloading ${progress.id} from ${progress.url}`);
    }
    draw(progress);
  };
}
