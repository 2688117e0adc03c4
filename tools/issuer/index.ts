// Host-side QG1 issuing (spec/qg1.md sections 1 to 3): certificates and trust bundles as COSE_Sign1,
// written with cbor-x and signed with tweetnacl. This is deliberately an independent implementation:
// it shares no code with the device codecs in proto/, so that tests can check one against the other.
//
// The parts, in the order of the spec: cbor.ts, base45.ts (and the QG1: text), cose.ts (COSE_Sign1),
// claims.ts (certificates, section 2), trust.ts (trust bundles, section 3).
export * from './cbor';
export * from './base45';
export * from './cose';
export * from './claims';
export * from './trust';
