// Errors for the decoders that run on unsigned input (before any signature check): an Error
// without a stack trace. On Espruino, `new Error(m)` writes a stack trace into the error, a line
// and a code excerpt with a marker for every call level: 251 variables for an error made 31 calls
// deep on the 2v29 interpreter (a refusal inside the JSON parser is about that deep), 7 without
// the trace. These errors are `instanceof Error`, carry `message`, and print as `Error: message`
// (Espruino's Error.prototype.toString and Node's alike); only the trace is left out.

/** An Error with `message` and no stack trace. */
export function qgError(message: string): Error {
  var e: any = Object.create(Error.prototype);
  e.message = message;
  return e;
}
