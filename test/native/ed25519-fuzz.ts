// make fuzz: the native Ed25519 verifier (committed bytes, under qemu-arm) against the TypeScript
// reference (firmware/crypto/ed25519.ts), the ESP32's table verifier and an independent strict
// oracle (@noble/curves + node:crypto) on --count (default 100,000) cases: every published
// vector in data/vectors first, then seeded random and mutated ones (test/native/ed25519-cases.ts),
// in batches of 1,000 per qemu-arm run. Prints the seed (--seed repeats a run), the count, the
// rate, every disagreement as found and the cases of each kind; exits 1 on any disagreement,
// 2 without the tools. --bin runs another build of the verifier (a flat binary) instead.
//   npx tsx test/native/ed25519-fuzz.ts [--count N] [--seed S] [--bin CODE.bin]
import { fuzzCommandLine } from './qemu';
import { fuzzEd25519 } from './ed25519-cases';

const { count, seed, opt } = fuzzCommandLine('ed25519 fuzz');
const bin = opt('--bin');
console.log(`ed25519 fuzz: seed ${seed}, ${count} cases${bin ? `, code ${bin}` : ''}`);
fuzzEd25519({ count, seed, bin, vectors: true, log: (l) => console.log(l), progressEvery: 10000 }).then((r) => {
  const rate = r.done / r.seconds;
  const head = `ed25519 fuzz: seed ${seed}: ${r.done} cases (${r.native} run natively, ${r.done - r.native} of a wrong length refused before the call), ` +
    `${rate.toFixed(0)} cases/s, ${r.seconds.toFixed(0)} s, stack <= ${r.stack} bytes`;
  console.log(r.disagreements.length ? `${head}: ${r.disagreements.length} DISAGREEMENTS (listed above)` : `${head}: native == TypeScript == tables == oracle on all`);
  Object.keys(r.tally).sort().forEach((k) => console.log(`  ${String(r.tally[k].n).padStart(7)}  ${k} (${r.tally[k].valid} valid)`));
  process.exit(r.disagreements.length ? 1 : 0);
}, (e) => {
  console.error(`ed25519 fuzz: seed ${seed}: ${(e as Error).stack || e}`);
  process.exit(1);
});
