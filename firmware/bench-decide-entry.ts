// Entry of the decision bundle that dist/bench-espruino.js loads after the verifier bundle
// (tools/build/bench-espruino.ts): the gate's decision code with its repeat-visitor cache and the
// trust bundle decoder, exposed as the global `QGD`, to time a whole QG1 decision (first scan and
// repeat visitor) on an Espruino interpreter. The signature check is given in the context (the
// verifier bundle's), as firmware/gate.ts gives the gate's. Device code: the modules the gate runs.
import { decide } from './decide';
import { VerifiedCache } from './cache';
import { decodeTrustBundle } from '../proto/trustbundle';

declare var global: any;

global.QGD = {
  decide: decide,
  VerifiedCache: VerifiedCache,
  decodeTrustBundle: decodeTrustBundle,
};
