// firmware/trustupdate.ts (and boot's end of it, firmware/boot.ts): a trust bundle received over
// the air is used only when the trust store accepts it (root signature, version), is written so
// that a power cut at any byte leaves the old or the new bundle (never neither), and LoRa
// fragments kept in flash resume after a power cut.
import { strict as assert } from 'assert';
import { FlashImage, PowerCutError } from '../../sim/flash';
import { TrustStore } from '../../firmware/truststore';
import { TVER_FILE } from '../../firmware/trustcheck';
import { boot, TRUST_FILE, TRUST_NEW } from '../../firmware/boot';
import { updateTrust, trustFragment, trustStatus, SESSION_FILE, FRAG_PREFIX, ota, BUNDLE_FILE } from '../../firmware/trustupdate';
import { encodeTrustFragmentHost, decodeTrustStatusHost } from '../../tools/collector/trust';
import { configOf } from './fixtures';
import { fixtureBytes, recordingEvents, strictVerify } from './owners-util';

const V1 = fixtureBytes('trust.bin');
const V2 = fixtureBytes('trust-v2.bin');
const FORGED = fixtureBytes('trust-v2-forged.bin');
const V0 = fixtureBytes('trust-v0.bin');
const cfg = configOf('gate.json');

/** A board's flash after `qrgate flash` and a boot with the version 1 bundle. */
function flashed(): FlashImage {
  const img = new FlashImage({ size: 64 * 1024, pageSize: 2048 });
  img.storage().write(TRUST_FILE, V1);
  booted(img);
  return img;
}

/** Boots on this flash: the trust store as boot leaves it. */
function booted(img: FlashImage) {
  const storage = img.storage();
  const events = recordingEvents();
  const trust = new TrustStore({ storage, verify: strictVerify, events });
  const res = boot({ storage, events, trust, selfTest: () => true, config: { config: cfg } });
  return { storage, events, trust, res };
}

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return !!a && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

function fragments(bundle: Uint8Array, version: number, fragSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = 1; n <= Math.ceil(bundle.length / fragSize); n++) out.push(new Uint8Array(encodeTrustFragmentHost(bundle, version, fragSize, n)));
  return out;
}

describe('firmware/trustupdate: trust bundles over the air', () => {
  it('writes the bundle file boot reads', () => assert.equal(BUNDLE_FILE, TRUST_FILE));

  it('installs a newer bundle: in use at once, the bundle file replaced, its version recorded', () => {
    const g = booted(flashed());
    assert.equal(g.trust.bundle!.version, 1);
    assert.equal(updateTrust(g.storage, g.trust, V2, g.events), '');
    assert.equal(g.trust.bundle!.version, 2);
    assert.ok(same(g.storage.readBytes(TRUST_FILE), V2));
    assert.equal(g.storage.readBytes(TRUST_NEW), undefined);
    assert.equal(g.storage.readText(TVER_FILE), '2');
    assert.deepEqual(g.events.of('trust'), [{ what: 'installed', version: 2, keys: 4 }]);
    // the same again: nothing new
    assert.equal(updateTrust(g.storage, g.trust, V2, g.events), 'old');
    assert.equal(g.events.of('trust').length, 1);
  });

  it('a forged, an older or a malformed bundle changes nothing (in use, in flash, version)', () => {
    const img = flashed();
    const g = booted(img);
    assert.equal(updateTrust(g.storage, g.trust, V2, g.events), '');
    const before = img.clone();
    const inUse = g.trust.bundle;
    for (const [bytes, error] of [[FORGED, 'bad-signature'], [V0, 'rollback'], [V1, 'rollback'], [new Uint8Array([0xd2, 1, 2]), 'malformed']] as Array<[Uint8Array, string]>) {
      assert.equal(updateTrust(g.storage, g.trust, bytes, g.events), error);
      assert.equal(g.trust.bundle, inUse);
      assert.ok(same(g.storage.readBytes(TRUST_FILE), V2));
      assert.equal(g.storage.readBytes(TRUST_NEW), undefined);
      assert.equal(g.storage.readText(TVER_FILE), '2');
    }
    // and after a reboot, still version 2
    assert.equal(booted(img).trust.bundle!.version, 2);
    void before;
  });

  it('a power cut at every byte of an update leaves the old or the new bundle, never neither', () => {
    const base = flashed();
    // how many bytes the update programs
    const probe = base.clone();
    const before = probe.stats.bytesProgrammed;
    const gp = booted(probe);
    const b0 = probe.stats.bytesProgrammed;
    updateTrust(gp.storage, gp.trust, V2, gp.events);
    const total = probe.stats.bytesProgrammed - b0;
    void before;
    assert.ok(total > V2.length * 2, `the update programs ${total} bytes`);
    const seen = { old: 0, new: 0 };
    // every byte near the start and the end of each write (headers, deletion marks), a sample between
    const ks: number[] = [];
    for (let k = 0; k <= total; k++) {
      const off = k % (V2.length + 40);
      if (off < 40 || off > V2.length - 4 || k % 29 === 0) ks.push(k);
    }
    for (const k of ks) {
      const img = base.clone();
      const g = booted(img);
      img.armCut(k);
      // (updateTrust catches a failed write and says so; on a board the power is gone then)
      try { updateTrust(g.storage, g.trust, V2, g.events); } catch (e) { assert.ok(e instanceof PowerCutError, String(e)); }
      const cut = img.powerLost;
      img.disarmTear();
      img.repower();
      const after = booted(img);
      const v = after.trust.bundle ? after.trust.bundle.version : null;
      assert.ok(v === 1 || v === 2, `cut after ${k} of ${total} bytes: the gate boots with ${v}`);
      assert.equal(after.res.fault, '', `k=${k}`);
      assert.equal(after.storage.readBytes(TRUST_NEW), undefined, `k=${k}: qg.trnew left`);
      assert.ok(same(after.storage.readBytes(TRUST_FILE), v === 2 ? V2 : V1), `k=${k}: qg.trust is not the bundle in use`);
      // and a second boot agrees
      assert.equal(booted(img).trust.bundle!.version, v);
      if (v === 2) seen.new++; else seen.old++;
      if (!cut) assert.equal(v, 2);
    }
    assert.ok(seen.old > 10 && seen.new > 10, JSON.stringify(seen));
  });

  it('LoRa: fragments in any order, repeated, kept in flash; the bundle installed when all are in', () => {
    const img = flashed();
    const g = booted(img);
    const fr = fragments(V2, 2, 39); // DR0: 39 bytes each
    assert.equal(fr.length, Math.ceil(V2.length / 39));
    const order = fr.map((_, i) => i).reverse();
    let ended = false;
    for (const i of order.slice(0, -1)) {
      ended = trustFragment(g.storage, g.trust, fr[i], g.events);
      assert.equal(ended, false);
      if (i % 3 === 0) assert.equal(trustFragment(g.storage, g.trust, fr[i], g.events), false); // again
    }
    // the status says which are in flash (all but fragment 1), and the version in use
    const st = decodeTrustStatusHost(trustStatus(g.storage, g.trust, 0, 51, g.events).frame);
    assert.equal(st.version, 1);
    assert.deepEqual(st.session, { version: 2, count: fr.length, have: fr.map((_, i) => i !== 0) });
    assert.equal(g.trust.bundle!.version, 1);
    // a reboot in between: the fragments are still there
    const g2 = booted(img);
    assert.equal(trustFragment(g2.storage, g2.trust, fr[0], g2.events), true);
    assert.equal(g2.trust.bundle!.version, 2);
    assert.ok(same(g2.storage.readBytes(TRUST_FILE), V2));
    assert.equal(g2.storage.readText(SESSION_FILE), undefined);
    assert.deepEqual(g2.storage.list(FRAG_PREFIX), []);
    const st2 = decodeTrustStatusHost(ota('status', g2.storage, g2.trust, g2.events, 5, 222).frame);
    assert.deepEqual(st2, { version: 2, dataRate: 5, session: null });
  });

  it('LoRa: a forged bundle in fragments is refused and its fragments erased; a new session replaces an old one', () => {
    const g = booted(flashed());
    const forged = fragments(FORGED, 2, 100);
    trustFragment(g.storage, g.trust, fragments(V2, 2, 210)[0], g.events); // a session of another fragment size
    for (const f of forged) trustFragment(g.storage, g.trust, f, g.events);
    assert.equal(g.trust.bundle!.version, 1);
    assert.equal(g.events.of('trust').filter((e) => e.what === 'refused')[0].error, 'bad-signature');
    assert.equal(g.storage.readText(SESSION_FILE), undefined);
    assert.deepEqual(g.storage.list(FRAG_PREFIX), []);
    assert.ok(same(g.storage.readBytes(TRUST_FILE), V1));
    // a fragment that does not decode changes nothing
    assert.equal(trustFragment(g.storage, g.trust, new Uint8Array([8, 1, 0, 1, 0]), g.events), false);
    assert.equal(g.events.of('trust').slice(-1)[0].what, 'bad-fragment');
  });

  it('LoRa: a power cut at every byte of the fragments\' writes; the collector sends them all again; v2 in the end', () => {
    const fr = fragments(V2, 2, 103); // DR3: 4 fragments
    const base = flashed();
    const probe = base.clone();
    const gp = booted(probe);
    const b0 = probe.stats.bytesProgrammed;
    for (const f of fr) trustFragment(gp.storage, gp.trust, f, gp.events);
    const total = probe.stats.bytesProgrammed - b0;
    let step = Math.max(1, Math.floor(total / 120));
    for (let k = 0; k <= total; k += step) {
      const img = base.clone();
      const g = booted(img);
      img.armCut(k);
      try { for (const f of fr) trustFragment(g.storage, g.trust, f, g.events); } catch (e) { assert.ok(e instanceof PowerCutError, String(e)); }
      img.disarmTear();
      img.repower();
      let after = booted(img);
      const v = after.trust.bundle ? after.trust.bundle.version : null;
      assert.ok(v === 1 || v === 2, `k=${k}: boots with ${v}`);
      // the uplink's first status after boot (it finishes a complete session, erases a stale one)
      trustStatus(after.storage, after.trust, 3, 115, after.events);
      // the collector sends what is missing (here: everything again) until the gate reports version 2
      for (let round = 0; round < 3 && after.trust.bundle!.version !== 2; round++) {
        for (const f of fr) trustFragment(after.storage, after.trust, f, after.events);
      }
      assert.equal(after.trust.bundle!.version, 2, `k=${k}`);
      after = booted(img);
      assert.equal(after.trust.bundle!.version, 2, `k=${k} after a reboot`);
      assert.deepEqual(after.storage.list(FRAG_PREFIX), [], `k=${k}`);
      step = step || 1;
    }
  });
});
