// Errors for the decoders that run on unsigned input (before any signature check): an Error
// without a stack trace. On Espruino, `new Error(m)` writes a stack trace into the error, a line
// and a code excerpt with a marker for every call level (about 20 variables each): a refusal deep
// inside the JSON parser (16 levels of parser calls below the gate's own) cost over 600 variables
// at the moment memory was fullest, and a 5,100-variable store ran out. These errors are `instanceof
// Error`, carry `message`, and print as `Error: message` (Espruino's Error.prototype.toString and
// Node's alike); only the trace is left out.

/** An Error with `message` and no stack trace. */
export function qgError(message: string): Error {
  var e: any = Object.create(Error.prototype);
  e.message = message;
  return e;
}
