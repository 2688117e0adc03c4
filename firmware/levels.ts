// capacity.levels (issue 14): its own small module, so that the configuration's check (the boot
// part) and the occupancy (the crowd part) each carry only this function, not each other.

/**
 * capacity.levels: "LEVEL:MAX" or "LEVEL:SHARE%" pairs separated by commas ("3:50%,4:25%": at
 * PPKM level 3 half the room's capacity.max, at level 4 a quarter; "4:10": ten people). Returns
 * level -> [number, isShare], or null when malformed. Parsed by hand (no RegExp on the device).
 */
export function parseLevels(s: string): { [level: string]: number[] } | null {
  var out: { [level: string]: number[] } = {};
  var parts = s.split(',');
  for (var i = 0; i < parts.length; i++) {
    var kv = parts[i].split(':');
    if (kv.length !== 2) return null;
    var k = kv[0].trim(), v = kv[1].trim(), pct = v.charAt(v.length - 1) === '%';
    if (pct) v = v.substr(0, v.length - 1);
    if (k.length !== 1 || k < '1' || k > '9') return null;
    if (!v.length || v.length > 6) return null;
    for (var j = 0; j < v.length; j++) if (v.charAt(j) < '0' || v.charAt(j) > '9') return null;
    var n = parseInt(v, 10);
    if (pct && n > 100) return null;
    out[k] = [n, pct ? 1 : 0];
  }
  return out;
}
