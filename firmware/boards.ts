// The firmware's board table: which UART and pins the scanner, relay, LEDs and LoRa modem use on
// the board it runs on. The facts live in boards/ (one file per board); a device bundle carries
// only its own board's profile, plus the Linux build's (the interpreter the tests run it on), or
// every board for the universal dist/gate.js, as one literal made on each call (the bundler writes
// it: tools/build/bundle.js boardTableSource), so that only the profile in use stays in RAM.
import { BoardProfile } from '../boards/types';
import { boardList } from '../boards/index';

export type { BoardProfile };
export { boardList };

/** Every profile (host tools; tree-shaken out of the device bundle, which calls boardProfile). */
export var BOARDS: BoardProfile[] = /* @__PURE__ */ boardList();

/** The profile for a board id (process.env.BOARD) or profile name; the first board's by default. */
export function boardProfile(idOrName: string | undefined): BoardProfile {
  var all = boardList();
  for (var i = 0; i < all.length; i++) {
    var b = all[i];
    if (b.name === idOrName || b.ids.indexOf(idOrName || '') >= 0) return b;
  }
  return all[0];
}
