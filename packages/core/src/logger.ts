/** Where library code sends its messages; inject one to route them into a host's logging. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** A logger that drops everything: the library's default, so it never writes to the console on its own. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
};
