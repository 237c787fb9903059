/** Where a CLI command writes; injectable so tests can capture it. */
export interface CommandIO {
  /** A line of normal output (stdout). */
  out(line: string): void;
  /** A line of diagnostics (stderr). */
  err(line: string): void;
  /** True when stderr is an interactive terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
  /** Redraws the progress line on a terminal. */
  progress(line: string): void;
}

/** The process's own streams. */
export function processIO(): CommandIO {
  const interactive = Boolean(process.stderr.isTTY);
  // A closed pipe (e.g. `swinup models list | head`) ends output quietly instead of crashing.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive,
    progress: (line) => {
      if (interactive) process.stderr.write(`\r\x1b[2K${line}`);
    },
  };
}

/**
 * Runs `work` with a signal that the first Ctrl-C aborts, so a download or an output being written removes
 * its temporary file before the command ends (exit 130); a second Ctrl-C kills as usual.
 */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', interrupt);
  }
}
