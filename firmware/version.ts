// The firmware's version (the `ready` line, qgStatus(), `qrgate doctor`). Its own module: boot.ts
// is a lazy part of the bundle (tools/build/bundle.js), whose stub exports functions only.
export var FIRMWARE_VERSION = '0.1.0';
