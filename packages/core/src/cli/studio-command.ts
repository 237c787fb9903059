import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SwinupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CORE_VERSION, PACKAGE_ROOT } from '../package-info.js';
import { DEVICES, type Device } from '../runtime/execution-provider.js';
import { sameOrigins, startUpscaleServer } from '../server/upscale-server.js';
import { asUsage, integerFlag, UsageError } from './arguments.js';
import type { CommandIO } from './command-io.js';

/** Help text of `swinup studio`. */
export const STUDIO_HELP = `Usage: swinup studio [--port N] [--no-open] [--device D] [--verbose]

Starts a local page on 127.0.0.1 where you drop, paste or choose images and see them upscaled, next to a
bicubic enlargement, and download the results. It prints the page's address with its access token
(http://127.0.0.1:PORT/#token=…) and opens it in the default browser.

Options:
  --port N      loopback port (default 0: a free one)
  --no-open     print the address but do not open a browser
  --device D    auto | cuda | cpu (default auto, or SWINUP_DEVICE)
  --verbose     log every request`;

/** Where the built page lies: `dist/studio` of the installed package. */
export const STUDIO_PAGE_DIR: string = join(PACKAGE_ROOT, 'dist', 'studio');

/** Starts a browser on `url` without waiting for it; a machine without one only loses the convenience. */
export type BrowserOpener = (url: string) => void;

/** Opens `url` with the platform's opener (open, start, xdg-open); never throws. */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener on this machine: the printed address is enough.
  }
}

/**
 * `swinup studio`: serves the studio page and core's upscale API (the Figma bridge's server, with the
 * page's own origin allowed) until SIGINT or SIGTERM.
 */
export async function studioCommand(
  argv: string[],
  io: CommandIO,
  open: BrowserOpener = openInBrowser,
): Promise<number> {
  const { values } = asUsage(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        device: { type: 'string' },
        verbose: { type: 'boolean', default: false },
      },
    }),
  );
  const port = integerFlag('port', values.port, 0, 65535) ?? 0;
  const device = values.device;
  if (device !== undefined && !(DEVICES as readonly string[]).includes(device))
    throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got "${device}"`);
  if (!existsSync(join(STUDIO_PAGE_DIR, 'index.html')))
    throw new SwinupError(
      'INVALID_OPTION',
      `the studio page is missing from ${STUDIO_PAGE_DIR}; build @swinup/core (npm run build -w @swinup/core)`,
    );
  const verbose = values.verbose;
  const logger: Logger = {
    debug: (message) => {
      if (verbose) io.err(message);
    },
    info: (message) => io.err(message),
    warn: (message) => io.err(`warning: ${message}`),
  };
  let server: Awaited<ReturnType<typeof startUpscaleServer>>;
  try {
    server = await startUpscaleServer({
      port,
      version: CORE_VERSION,
      wording: {
        noun: 'swinup studio',
        program: 'swinup studio',
        originRule: 'swinup studio; only its own page may',
      },
      allowedOrigins: sameOrigins,
      staticDir: STUDIO_PAGE_DIR,
      upscaler: device === undefined ? {} : { device: device as Device },
      logger,
      modelChoice: true,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.err(`swinup: port ${port} is in use; pick another with --port, or --port 0 for a free one`);
      return 1;
    }
    throw error;
  }
  const address = `${server.url}/#token=${server.token}`;
  io.out(`swinup studio: model ${server.model} on ${server.device}`);
  io.out(`Open ${address}`);
  io.out('Stop it with Ctrl+C.');
  if (!values['no-open']) open(address);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err(`${signal}: stopping, cancelling running images…`);
  await server.close();
  return 0;
}
