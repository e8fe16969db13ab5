// Thrown for any malformed input; the server treats it as "close this connection".
export class DecodeError extends Error {
  override readonly name = "DecodeError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

// Thrown when a caller hands the encoder a value the chosen version cannot carry.
export class EncodeError extends Error {
  override readonly name = "EncodeError";
}
