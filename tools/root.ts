// The checkout's root: the nearest folder above a file with a package.json. Host code runs both
// from its TypeScript sources (tsx) and compiled under build/host, so paths are found, not fixed.
import * as fs from 'fs';
import * as path from 'path';

export function findRoot(dir: string = __dirname): string {
  let d = dir;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

export const ROOT = findRoot();

/** Third-party data kept in the repository (data/README.md says where each came from): the published
 *  test vectors (data/vectors) and the DIVOC contexts and samples (data/divoc). */
export const DATA = path.join(ROOT, 'data');
