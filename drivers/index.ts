// Device drivers: each receives its IO (hal interfaces) in an options object and touches no global.
export { Scanner, ScannerOptions, ScannerStats, SCANNER_DEFAULTS } from './scanner';
export { Relay, RelayOptions, RELAY_DEFAULTS } from './relay';
export { Leds, LedsOptions, LedColor } from './leds';
