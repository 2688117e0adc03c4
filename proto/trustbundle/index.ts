// The trust bundle codec (docs/qg1.md section 3), one module per job; this file only re-exports.
// Checking the bundle's signature against the root keys is the trust store's job (firmware/).
export * from './types';
export { decodeTrustBundle, decodeTrustPayload } from './decode';
export { trustKeyAt, trustKeys, findKeys, findKey } from './keyindex';
export { isRevoked, revocationPrefix } from './revocation';
