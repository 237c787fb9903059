import { parseArgs } from 'node:util';
import { type Device, type Logger, SwinupError } from '@swinup/core';
import { BRIDGE_VERSION, DEFAULT_PORT, startBridge } from './server.js';

/** Where the CLI writes; injectable so tests can capture it. */
export interface CliIO {
  /** A line of normal output (stdout). */
  out(line: string): void;
  /** A line of diagnostics (stderr). */
  err(line: string): void;
}

const HELP = `swinup-bridge: upscale images for the swinup Figma plugin on this machine

Usage: swinup-bridge [options]

Options:
  --port N          loopback port (default ${DEFAULT_PORT}, the one the plugin's manifest allows)
  --token TOKEN     pairing token to require (default: a new random token at every start)
  --concurrency N   images upscaled at the same time (default 1)
  --max-body MB     largest upload in MiB (default 32)
  --max-pixels MP   largest result in megapixels (default 16.8 = 4096×4096, Figma's limit)
  --device D        auto, cpu or cuda (default auto; SWINUP_DEVICE too)
  --verbose         log every request
  -h, --help        show this help
  -v, --version     show the version`;

const processIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs `swinup-bridge` with `argv` (without node and script): starts the bridge, prints the pairing
 * token, and serves until SIGINT or SIGTERM. Resolves with the exit code once it has shut down.
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let settings: ReturnType<typeof settingsOf>;
  try {
    settings = settingsOf(argv);
  } catch (error) {
    io.err(`swinup-bridge: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (settings === 'help' || settings === 'version') {
    io.out(settings === 'help' ? HELP : BRIDGE_VERSION);
    return 0;
  }
  const { verbose, ...options } = settings;
  const logger: Logger = {
    debug: (message) => {
      if (verbose) io.err(message);
    },
    info: (message) => io.err(message),
    warn: (message) => io.err(`warning: ${message}`),
  };
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  try {
    bridge = await startBridge({ ...options, logger });
  } catch (error) {
    io.err(`swinup-bridge: ${startFailure(error, options.port)}`);
    return 1;
  }
  io.out(
    `swinup-bridge listening on http://localhost:${bridge.port}, model ${bridge.model} on ${bridge.device}`,
  );
  io.out(`Pairing token: ${bridge.token}`);
  io.out('Paste it into the swinup plugin in Figma when it asks. Stop the bridge with Ctrl+C.');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.err(`${signal}: finishing, cancelling queued images…`);
  await bridge.close();
  io.err('swinup-bridge stopped');
  return 0;
}

function settingsOf(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      token: { type: 'string' },
      concurrency: { type: 'string' },
      'max-body': { type: 'string' },
      'max-pixels': { type: 'string' },
      device: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.help) return 'help' as const;
  if (values.version) return 'version' as const;
  const device = values.device;
  if (device !== undefined && !isDevice(device))
    throw new Error(`--device must be ${DEVICES.join(', ')}, not "${device}"`);
  const maxBody = positive('--max-body', values['max-body']);
  const maxPixels = positive('--max-pixels', values['max-pixels']);
  return {
    port: integer('--port', values.port, 0, 65535) ?? DEFAULT_PORT,
    token: values.token,
    concurrency: integer('--concurrency', values.concurrency, 1, 64),
    maxBodyBytes: maxBody === undefined ? undefined : Math.round(maxBody * 1024 * 1024),
    maxPixels: maxPixels === undefined ? undefined : Math.round(maxPixels * 1e6),
    upscaler: device === undefined ? {} : { device },
    verbose: values.verbose,
  };
}

const DEVICES: readonly Device[] = ['auto', 'cpu', 'cuda'];

function isDevice(value: string): value is Device {
  return (DEVICES as readonly string[]).includes(value);
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new Error(`${flag} must be an integer from ${min} to ${max}, not "${value}"`);
  return number;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${flag} must be a positive number, not "${value}"`);
  return number;
}

function startFailure(error: unknown, port: number): string {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return (
      `port ${port} is in use; another swinup-bridge may already be running. Stop it, or pick another ` +
      "port with --port (the plugin's manifest must then allow it too)"
    );
  }
  if (error instanceof SwinupError || error instanceof RangeError) return error.message;
  return `cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
