/** A CLI failure with a one-line reason and an exit code (2 = bad usage, 1 = the run failed). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
