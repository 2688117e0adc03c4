// The locked console of Espruino (src/jsinteractive.c jsiHandleChar, 2v29), for sim/console.ts:
// once E.lockConsole() has run with a password set (E.setPassword), every character typed goes
// to a password line (at most 20 kept, nothing echoed, Ctrl-C, DLE and escapes included); CR or
// LF compares it with the password: "\n  Invalid password\npassword>" or "\n  Logged in.\n" and the
// prompt. Nothing typed runs until then. Program output (console.log) still goes out. Seen on
// the Linux build over its telnet console (test/system/console-lock.test.ts runs it there too).
export interface ConsoleLockState { password: string | null; locked: boolean }

export const PASSWORD_MAX = 20;

export class PasswordLine {
  private line = '';

  /**
   * One character typed while the console is locked. Returns what the console prints, and
   * whether the password was right (the console is then unlocked).
   */
  input(lock: ConsoleLockState, ch: string): { out: string; loggedIn: boolean } {
    if (ch === '\r' || ch === '\n') {
      const ok = lock.password !== null && this.line === lock.password;
      this.line = '';
      if (ok) {
        lock.locked = false;
        return { out: '\n  Logged in.\n', loggedIn: true };
      }
      return { out: '\n  Invalid password\npassword>', loggedIn: false };
    }
    if (this.line.length < PASSWORD_MAX) this.line += ch;
    return { out: '', loggedIn: false };
  }
}

/** The prompt of a console: "password>" while locked (jsiConsoleReturnInputLine). */
export function promptOf(lock: ConsoleLockState | null): string {
  return lock && lock.locked ? 'password>' : '>';
}
