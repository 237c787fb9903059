import { SwinupError } from '../errors.js';
import { CORE_VERSION } from '../package-info.js';
import { exitCodeFor, UsageError } from './arguments.js';
import { BENCH_HELP, benchCommand } from './bench-command.js';
import { type CommandIO, processIO } from './command-io.js';
import { COMPILE_HELP, compileCommand } from './compile-command.js';
import { DOCTOR_HELP, doctorCommand } from './doctor-command.js';
import { EVAL_HELP, evalCommand } from './eval-command.js';
import { MODELS_HELP, modelsCommand } from './models-command.js';
import { STUDIO_HELP, studioCommand } from './studio-command.js';
import { UPSCALE_HELP, upscaleCommand } from './upscale-command.js';

interface Command {
  readonly help: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  compile: { help: COMPILE_HELP, run: compileCommand },
  eval: { help: EVAL_HELP, run: evalCommand },
  doctor: { help: DOCTOR_HELP, run: doctorCommand },
  models: { help: MODELS_HELP, run: modelsCommand },
  bench: { help: BENCH_HELP, run: benchCommand },
  studio: { help: STUDIO_HELP, run: studioCommand },
};

const UPSCALE_COMMAND: Command = { help: UPSCALE_HELP, run: upscaleCommand };

const MAIN_HELP = `swinup ${CORE_VERSION}: AI image upscaling with SwinIR

Usage:
  swinup <images...> [-o out] [--scale N]    upscale images
  swinup compile <checkpoint> --shape NxCxHxW -o model.onnx
  swinup eval --scale S --hr DIR --lr DIR [--model ID | --bicubic]
  swinup doctor                            versions, execution providers, cache, installed models
  swinup models list|pull <id>|import <file>|verify|rm <id>
  swinup bench [--json] [--quick]            speed, memory and quality benchmark
  swinup studio [--port N] [--no-open]       a local page: drop images, see them upscaled

Run "swinup <command> --help" for a command's options.`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(`${MAIN_HELP}\n\n${UPSCALE_HELP}`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(CORE_VERSION);
    return 0;
  }
  const named = COMMANDS[first];
  const command = named ?? UPSCALE_COMMAND;
  const args = named === undefined ? argv : rest;
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) io.err(`swinup: ${error.message}\n\n${command.help}`);
    else if (error instanceof SwinupError) io.err(`swinup: ${error.message}`);
    else
      io.err(
        `swinup: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    return exitCodeFor(error);
  }
}
