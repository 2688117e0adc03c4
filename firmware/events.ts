// The event sink: the one way device code reports what happened (decisions, faults, drops, the
// uplinks' progress, tables made at boot). Everyone who reports receives it (the gate, boot, the
// trust store, the uplinks, the board wiring) in its options; nobody else writes event lines.
//
// On the console each event is one line `@qg {"ev":EV,...fields}` (README "The console protocol",
// docs/qrgate.md): the field `ev` first, then the fields in the order given. `qrgate monitor`, the
// simulator and the tests read those lines; the format must not change.
//
// Later reporters (issue 14's alarms and door events, issue 13's trust updates) use the same sink;
// a sink that also writes some events to the entry log, or forwards them, wraps this one.
import { Console } from '../hal/types';

/** Where events go. `fields` is a plain object; the sink does not keep it. */
export interface Events {
  emit(ev: string, fields: any): void;
}

/** The console sink: one `@qg {json}` line per event. */
export function consoleEvents(con: Console): Events {
  return {
    emit: function (ev: string, fields: any): void {
      var o: any = { ev: ev };
      for (var k in fields) o[k] = fields[k];
      con.log('@qg ' + JSON.stringify(o));
    },
  };
}
