/** A failure a user can fix by changing a variable: its message is printed as it is, without a stack trace. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
