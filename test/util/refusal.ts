// A decoder's refusal: the message of the plain Error it throws (device decoders throw only
// `Error(message)`, docs/CONVENTIONS.md); fails when it accepts or throws anything else.
import { strict as assert } from 'assert';

export function refusal(fn: () => any): string {
  try {
    fn();
  } catch (e: any) {
    assert.equal(e.constructor, Error, `not a plain Error: ${e && e.stack}`);
    return e.message;
  }
  assert.fail('accepted');
}
