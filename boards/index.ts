// Every board (one file each in boards/). A new board: its file, and one line here.
// The order is the firmware's: a device id that no board lists gets the first board's profile.
// Host code reads these objects; the device reads only `boardList()`, whose module the bundler
// replaces by a literal of the bundle's own board(s) (tools/build/bundle.js boardTableSource).
import { Board, BoardProfile, profileOf } from './types';
import { WIFI } from './wifi';
import { PICO } from './pico';
import { ORIGINAL } from './original';
import { ESP32 } from './esp32';
import { MDBT42Q } from './mdbt42q';
import { LINUX } from './linux';

export var BOARD_FILES: Board[] = [
  WIFI,
  PICO,
  ORIGINAL,
  ESP32,
  MDBT42Q,
  LINUX,
];

/** Every board's run-time profile (firmware/boards.ts; on a device, only the bundle's own board). */
export function boardList(): BoardProfile[] {
  return BOARD_FILES.map(profileOf);
}

/** The board file of a profile name or Espruino board id; undefined for an unknown one. */
export function boardFileOf(nameOrId: string): Board | undefined {
  for (var i = 0; i < BOARD_FILES.length; i++) {
    var b = BOARD_FILES[i];
    if (b.name === nameOrId || b.ids.indexOf(nameOrId) >= 0) return b;
  }
  return undefined;
}
