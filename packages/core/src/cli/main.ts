import { SwinupError } from '../errors.js';
import { CORE_VERSION } from '../version.js';
import { exitCodeFor, UsageError } from './arguments.js';
import { type CommandIO, processIO } from './command-io.js';
import { COMPILE_HELP, compileCommand } from './compile-command.js';

interface Command {
  readonly help: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  compile: { help: COMPILE_HELP, run: compileCommand },
};

const MAIN_HELP = `swinup ${CORE_VERSION}: AI image upscaling with SwinIR

Usage:
  swinup compile <checkpoint> --shape NxCxHxW -o model.onnx

Run "swinup <command> --help" for a command's options.`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(MAIN_HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(CORE_VERSION);
    return 0;
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    io.err(`swinup: unknown command "${first}"\n\n${MAIN_HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) io.err(`swinup ${first}: ${error.message}\n\n${command.help}`);
    else if (error instanceof SwinupError) io.err(`swinup: ${error.message}`);
    else io.err(`swinup: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return exitCodeFor(error);
  }
}
