// make fuzz: the native inflate (committed bytes, under qemu-arm) against proto/inflate.ts on
// --count (default 100,000) seeded random and mutated streams, in batches of 5,000 per qemu-arm
// run. Prints the seed (--seed repeats a run) and how many cases ended in each outcome; exits 1
// on the first batch with a difference (the cases are listed), 2 without the tools.
//   npx tsx test/native/inflate-fuzz.ts [--count N] [--seed S]
import { fuzzCommandLine } from './qemu';
import { runInflate, differences } from './inflate-qemu';
import { randomCases } from './inflate-cases';

const { count, seed } = fuzzCommandLine('inflate fuzz');
const BATCH = 5000;
const tally: { [k: string]: number } = {};
let done = 0, maxStack = 0;
const t0 = Date.now();
for (let b = 0; done < count; b++) {
  const n = Math.min(BATCH, count - done);
  const cases = randomCases(seed * 1000 + b, n);
  const run = runInflate(cases);
  const bad = differences(cases, run, 10);
  if (bad.length) {
    console.error(`inflate fuzz: seed ${seed} batch ${b}: native and TypeScript differ:\n${bad.join('\n')}`);
    process.exit(1);
  }
  for (const o of run.outcomes) tally[o.error || 'ok'] = (tally[o.error || 'ok'] || 0) + 1;
  maxStack = Math.max(maxStack, run.stack);
  done += n;
}
console.log(`inflate fuzz: seed ${seed}: ${done} cases, native == TypeScript on all, stack <= ${maxStack} bytes, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
Object.keys(tally).sort().forEach((k) => console.log(`  ${String(tally[k]).padStart(7)}  ${k}`));
