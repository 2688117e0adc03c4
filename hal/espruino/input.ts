// An input pin over Espruino's globals (hal InputPin): the door contact and the exit button
// (firmware/doorwatch.ts). Its own module, so that the door's lazy part carries only this code of
// hal/espruino. `pull`: 'up' (input_pullup), 'down' (input_pulldown), else none; the watch is
// Espruino's setWatch on both edges, debounced by Espruino itself.
import { InputPin } from '../types';

declare function digitalRead(pin: any): number;
declare function pinMode(pin: any, mode: string): void;
declare function setWatch(fn: (e: any) => void, pin: any, opts: any): number;
declare function clearWatch(id: number): void;

function EspruinoInput(this: any, pin: string, pull: string) {
  this.pin = pin;
  pinMode(pin, pull === 'up' ? 'input_pullup' : pull === 'down' ? 'input_pulldown' : 'input');
}
EspruinoInput.prototype.read = function (this: any) { return !!digitalRead(this.pin); };
EspruinoInput.prototype.watch = function (this: any, cb: (level: boolean) => void, debounceMs: number) {
  return setWatch(function (e: any) { cb(!!e.state); }, this.pin, { repeat: true, edge: 'both', debounce: debounceMs });
};
EspruinoInput.prototype.unwatch = function (id: number) { clearWatch(id); };

/** The pin as an input with the given pull ('up', 'down' or none). */
export function inputPin(pin: string, pull?: string): InputPin {
  return new (EspruinoInput as any)(pin, pull || '');
}
