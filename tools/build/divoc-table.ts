// Build-time compiler: the JSON-LD context documents of PeduliLindungi (DIVOC) certificates
// (data/divoc/contexts) -> proto/divoc/table.generated.ts, the compact table with which the
// device turns a certificate's JSON straight into RDF quads without a JSON-LD engine.
//
// Usage:  npx tsx tools/build/divoc-table.ts            (writes proto/divoc/table.generated.ts)
//         npx tsx tools/build/divoc-table.ts --check    (exit 1 if the committed file is stale)
//
// How: the active contexts are computed by jsonld's own context processor (jsonld/lib/context),
// following the control flow of jsonld's expansion (lib/expand.js): the contexts on the root,
// type-scoped contexts (applied in sorted order of the type terms, not propagated), the revert of
// a type-scoped context when descending into a nested node object, and property-scoped contexts.
// Only the certificate shapes DIVOC produces are compiled (SHAPES below): which nested objects may
// appear under which term, and which sets of types each node may carry. Every term of every
// resulting active context is listed with how its values map to RDF; the device refuses anything
// else (an unknown key, a nested object elsewhere, other types, other @context values).
//
// Table format (all strings: the device fetches one at a time, see below):
//  packed IRI          an IRI used as predicate, datatype or type; a first char '1'..'5' (no
//                      IRI starts with a digit) stands for DIVOC_IRI_PREFIXES[code - 1]
//                      (divocIriPrefix(code) on the device).
//  frame               '|term=K a b|term=K a b...' for every usable term of one active context:
//                      K = i (@id alias) | t (@type alias) | l (plain literal, or a node if b is
//                      a slot) | d (typed literal, b = packed datatype IRI) | r (@id-typed: IRI
//                      reference, or a node if b is a slot) | v (@vocab-typed: b = the frame in
//                      which the value is looked up as a term); a = packed predicate IRI ('' for
//                      i and t). Fields are separated by one space (no IRI or term has one).
//                      A frame is cut into parts of at most FRAME_PART_MAX chars, divocFrame(p),
//                      where a part continued by part p + 1 ends with '|+'; a frame is named
//                      by the index of its first part. divocFrame(p) gives a part as the text
//                      of a JSON object, {"term":"K a b",...} (and "|":"+" where part p + 1
//                      continues it), which the device reads with the interpreter's own
//                      JSON.parse and looks terms up in natively (proto/divoc/nquads.ts
//                      lookupAll; '|' is no term).
//  divocSlot(s)        'typeKey' then, per allowed set of types, '\n' + 'T1 T2' (sorted terms)
//                      + '\t' + frame + '\t' + 'iri iri' (packed type IRIs).
//  divocRoots(proof)   lines '@context URLs joined by a space' + '\t' + slot, joined by '\n'
//                      (document roots, or with proof = true the proof options' roots).
//  DIVOC_RESERVED      '|term|term|...|': every term usable as a prefix (jsonld's _prefix flag);
//                      an IRI value whose scheme is one of these (and is not followed by //) is
//                      refused, since JSON-LD would read it as a compact IRI.
// Memory: the strings are literals in functions, so on a board they stay in flash with the code
// and only the one being used is copied to RAM, for as long as it is used (a frame is read once
// per node object). Everything a lookup needs is in the frame (IRIs are not shared through an
// index), so no other table part has to be in RAM at the same time.

import * as fs from 'fs';
import * as path from 'path';
import { ROOT, DATA } from '../root';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ctxApi = require('jsonld/lib/context');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ContextResolver = require('jsonld/lib/ContextResolver');

export const REPO = ROOT;
export const CONTEXTS_DIR = path.join(DATA, 'divoc', 'contexts');
export const TABLE_FILE = path.join(REPO, 'proto', 'divoc', 'table.generated.ts');

/** The context URLs a certificate may name, and the stored copies (README.txt in contexts). */
export const CONTEXT_FILES: { [url: string]: string } = {
  'https://www.w3.org/2018/credentials/v1': 'W32018CredentialsV1.json',
  'https://www.pedulilindungi.id/credentials/vaccination/v2': 'DIVOCVaccinationContextV2.json',
  'https://cowin.gov.in/credentials/vaccination/v2': 'DIVOCVaccinationContextV2.json',
  'https://w3id.org/security/v1': 'security-v1.jsonld',
  'https://w3id.org/security/v2': 'security-v2.jsonld',
  'https://w3id.org/security/suites/ed25519-2018/v1': 'suites-ed25519-2018.jsonld',
};

/** A jsonld documentLoader serving only the stored contexts (for the compiler and the tests). */
export function divocDocumentLoader(dir: string = CONTEXTS_DIR) {
  return async (url: string) => {
    const f = CONTEXT_FILES[url];
    if (!f) throw new Error('divoc: no stored context for ' + url);
    return { contextUrl: null, documentUrl: url, document: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) };
  };
}

interface SlotSpec {
  /** Allowed sets of type terms on this node ([] = no type key). */
  types: string[][];
  /** Terms whose value may be a nested node object, and that node's shape. */
  edges?: { [term: string]: SlotSpec };
}

const ADDRESS: SlotSpec = { types: [[]] };
const SUBJECT: SlotSpec = { types: [['Person']], edges: { address: ADDRESS } };
const EVIDENCE: SlotSpec = {
  types: [['Vaccination']],
  edges: { verifier: { types: [[]] }, facility: { types: [[]], edges: { address: ADDRESS } } },
};
const CREDENTIAL: SlotSpec = {
  types: [['ProofOfVaccinationCredential', 'VerifiableCredential']],
  edges: { credentialSubject: SUBJECT, evidence: EVIDENCE },
};
const PROOF_OPTIONS: SlotSpec = { types: [['Ed25519Signature2018']] };

const CRED_V1 = 'https://www.w3.org/2018/credentials/v1';
export const DOC_ROOTS: string[][] = [
  [CRED_V1, 'https://www.pedulilindungi.id/credentials/vaccination/v2'],
  [CRED_V1, 'https://cowin.gov.in/credentials/vaccination/v2'],
];
export const PROOF_ROOTS: string[][] = [['https://w3id.org/security/v2']];

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+\-.]*:[!#-;=?-\[\]_a-z~]*$/; // what the device may emit raw
const OK_CONTAINERS = ['@set'];

class Compiler {
  iris: string[] = [];
  frames: string[] = [];
  slots: string[] = [];
  reserved = new Set<string>();
  options: any;

  constructor(dir: string) {
    this.options = {
      documentLoader: divocDocumentLoader(dir),
      contextResolver: new ContextResolver({ sharedCache: new Map() }),
      processingMode: 'json-ld-1.1',
      base: null,
    };
  }

  /** The packed text of an IRI (checked to be one the device may write raw). */
  iri(v: string): string {
    if (!ABSOLUTE.test(v)) throw new Error('compiler: IRI outside the safe set: ' + v);
    if (this.iris.indexOf(v) < 0) this.iris.push(v);
    return packIri(v);
  }

  process(activeCtx: any, localCtx: any, propagate: boolean, overrideProtected: boolean): Promise<any> {
    return ctxApi.process({ activeCtx, localCtx, options: this.options, propagate, overrideProtected });
  }

  initial(): any {
    return ctxApi.getInitialContext(this.options);
  }

  /** The index of the frame listing every usable term of ctx (dedupe by content). */
  async frame(ctx: any, edges: { [term: string]: SlotSpec } | undefined, vocabOnly?: boolean): Promise<number> {
    for (const k of ['@vocab', '@language', '@direction', '@base']) {
      if (ctx[k] !== undefined && ctx[k] !== null) throw new Error('compiler: context sets ' + k);
    }
    const terms = Array.from((ctx.mappings as Map<string, any>).keys()).sort();
    let s = '';
    for (const term of terms) {
      const def = ctx.mappings.get(term);
      if (def && def._prefix === true) this.reserved.add(term);
      const edge = edges && edges[term];
      const entry = await this.entry(ctx, term, def, edge, !!vocabOnly);
      if (entry === null) {
        if (edge) throw new Error('compiler: edge term unusable: ' + term);
        continue;
      }
      s += '|' + term + '=' + entry;
    }
    if (edges) for (const t of Object.keys(edges)) if (!ctx.mappings.get(t)) throw new Error('compiler: edge term undefined: ' + t);
    let i = this.frames.indexOf(s);
    if (i < 0) {
      i = this.frames.length;
      this.frames.push(s);
    }
    return i;
  }

  async entry(ctx: any, term: string, def: any, edge: SlotSpec | undefined, vocabOnly: boolean): Promise<string | null> {
    if (!def) return null; // term mapped to null
    if (term.indexOf(':') >= 0 || term.indexOf('|') >= 0 || term.indexOf('=') >= 0 || term.charAt(0) === '@') return null;
    if (/[^\x21-\x7e]/.test(term)) return null;
    if (def.reverse || def['@reverse']) return null;
    const container: string[] = def['@container'] || [];
    for (const c of container) if (OK_CONTAINERS.indexOf(c) < 0) return null;
    if ('@language' in def || '@direction' in def || '@index' in def || '@nest' in def) return null;
    const id: string = def['@id'];
    if (id === '@id') return 'i  ';
    if (id === '@type') return 't  ';
    if (typeof id !== 'string' || id.charAt(0) === '@' || id.indexOf('_:') === 0) return null;
    if (!ABSOLUTE.test(id)) return null;
    const pred = this.iri(id);
    const type = def['@type'];
    if (type === undefined) {
      return 'l ' + pred + ' ' + (edge ? await this.childSlot(ctx, term, edge) : '');
    }
    if (type === '@id') {
      return 'r ' + pred + ' ' + (edge ? await this.childSlot(ctx, term, edge) : '');
    }
    if (edge) throw new Error('compiler: a node is not allowed under ' + term);
    if (type === '@vocab') {
      // A frame used only to look vocab values up needs the IRIs, not a further vocab frame.
      if (vocabOnly) return 'v ' + pred + ' ';
      const termCtx = await this.termCtx(ctx, term);
      return 'v ' + pred + ' ' + (await this.frame(termCtx, undefined, true));
    }
    if (type === '@json' || type === '@none' || typeof type !== 'string' || type.charAt(0) === '@') return null;
    return 'd ' + pred + ' ' + this.iri(type);
  }

  async termCtx(ctx: any, term: string): Promise<any> {
    const scoped = ctxApi.getContextValue(ctx, term, '@context');
    return scoped === undefined ? ctx : this.process(ctx, scoped, true, true);
  }

  /** The slot of a nested node object under `term` of the active context `parent` (expand.js). */
  async childSlot(parent: any, term: string, spec: SlotSpec): Promise<number> {
    // _expandObject: the value is expanded with the property-scoped context applied.
    const termCtx = await this.termCtx(parent, term);
    // api.expand on the object: revert a type-scoped context, then apply the property-scoped
    // context (looked up in termCtx) once more.
    let pre = termCtx.previousContext ? termCtx.revertToPreviousContext() : termCtx;
    const psc = ctxApi.getContextValue(termCtx, term, '@context');
    if (psc !== undefined) pre = await this.process(pre, psc, true, true);
    const slot = await this.slot(pre, spec);
    // A one-key object whose key is an @id alias in termCtx is a subject reference and is not
    // reverted: make sure the key means @id in the compiled frame too, or the table would lie.
    // (Without a typeless variant the device refuses a one-key object anyway.)
    if (spec.types.some((t) => t.length === 0)) {
      for (const [k, d] of termCtx.mappings as Map<string, any>) {
        if (d && d['@id'] === '@id') {
          const post = pre.mappings.get(k);
          if (!(post && post['@id'] === '@id')) throw new Error('compiler: subject-reference key differs: ' + k);
        }
      }
    }
    return slot;
  }

  /** A slot: the node's @type key and, per allowed type set, the frame and type IRIs. */
  async slot(pre: any, spec: SlotSpec): Promise<number> {
    const typeKeys = Array.from((pre.mappings as Map<string, any>).entries())
      .filter(([, d]) => d && d['@id'] === '@type')
      .map(([k]) => k);
    if (typeKeys.length !== 1) throw new Error('compiler: expected one @type alias, got ' + typeKeys.join(','));
    let s = typeKeys[0];
    for (const types of spec.types) {
      const sorted = types.slice().sort();
      let ctx = pre;
      const typeIris: string[] = [];
      for (const t of sorted) {
        const e = ctxApi.expandIri(pre, t, { vocab: true }, this.options);
        const d = pre.mappings.get(t);
        if (!d || d['@id'] !== e) throw new Error('compiler: type term undefined: ' + t);
        typeIris.push(this.iri(e));
        const c = ctxApi.getContextValue(pre, t, '@context');
        if (c !== undefined) ctx = await this.process(ctx, c, false, false);
      }
      const f = await this.frame(ctx, spec.edges);
      // The type key must still mean @type in the node's frame, and be the only alias.
      const tk = Array.from((ctx.mappings as Map<string, any>).entries()).filter(([, d]) => d && d['@id'] === '@type').map(([k]) => k);
      if (tk.length !== 1 || tk[0] !== typeKeys[0]) throw new Error('compiler: @type alias changes in a frame');
      s += '\n' + sorted.join(' ') + '\t' + f + '\t' + typeIris.join(' ');
    }
    let i = this.slots.indexOf(s);
    if (i < 0) {
      i = this.slots.length;
      this.slots.push(s);
    }
    return i;
  }

  async root(urls: string[], spec: SlotSpec): Promise<string> {
    const ctx = await this.process(this.initial(), urls, true, false);
    return urls.join(' ') + '\t' + (await this.slot(ctx, spec));
  }
}

/** Common IRI prefixes, written as one digit ('1' + index) at the start of a packed IRI. */
export const IRI_PREFIXES = [
  'https://w3id.org/security#',
  'https://schema.org/',
  'https://www.w3.org/2018/credentials#',
  'http://www.w3.org/2001/XMLSchema#',
  'http://purl.org/dc/terms/',
];

function packIri(s: string): string {
  for (let i = 0; i < IRI_PREFIXES.length; i++) {
    if (s.indexOf(IRI_PREFIXES[i]) === 0) return String.fromCharCode(49 + i) + s.substring(IRI_PREFIXES[i].length);
  }
  return s;
}

/**
 * The terms DIVOC certificates use in the frames of several parts (the credential's root and the
 * proof options, with the proof purposes, a vocabulary value): first in their frame (splitFrames).
 */
export const HOT_TERMS = ['type', 'id', 'credentialSubject', 'issuer', 'issuanceDate', 'expirationDate', 'evidence', 'nonTransferable',
  'created', 'verificationMethod', 'proofPurpose', 'assertionMethod', 'authentication'];

/** Longest frame part (chars): what a board copies to RAM at a time to look terms up. */
export const FRAME_PART_MAX = 500;

/**
 * Frames cut into parts of at most FRAME_PART_MAX chars at entry boundaries; a part that the
 * next one continues ends with '|+' (no term is looked up without '='). Frame references (in
 * slots and 'v' entries) become the index of the frame's first part.
 */
function splitFrames(frames: string[], slots: string[]): { parts: string[]; slots: string[] } {
  const first: number[] = [];
  const pieces: string[][] = [];
  let n = 0;
  for (const f of frames) {
    let entries = f.substring(1).split('|').map((e) => '|' + e);
    // A frame of several parts: the terms certificates use first (the device reads parts until
    // it has found every key of a node: the proof options then take one part, not four).
    if (jsonLength(f) + 10 > FRAME_PART_MAX) {
      const rank = (e: string) => {
        const i = HOT_TERMS.indexOf(e.substring(1, e.indexOf('=')));
        return i < 0 ? HOT_TERMS.length : i;
      };
      entries = entries.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map((x) => x.e);
    }
    const ps: string[] = [];
    let cur = '';
    for (const e of entries) {
      // (the JSON text of a part is 1 + 4 chars an entry longer: '{', '"', '":"', '",' for '|', '=')
      if (jsonLength(e) + 10 > FRAME_PART_MAX) throw new Error('compiler: frame entry too long: ' + e);
      if (cur !== '' && jsonLength(cur + e) + 10 > FRAME_PART_MAX) {
        ps.push(cur + '|+');
        cur = '';
      }
      cur += e;
    }
    ps.push(cur);
    first.push(n);
    n += ps.length;
    pieces.push(ps);
  }
  const ref = (f: string) => String(first[+f]);
  const parts: string[] = [];
  for (const ps of pieces) for (const p of ps) parts.push(p.replace(/=v (\S*) (\d+)(?=\||$)/g, (_m, pred, f) => '=v ' + pred + ' ' + ref(f)));
  const outSlots = slots.map((sl) => sl.split('\n').map((l, i) => {
    if (i === 0) return l;
    const x = l.split('\t');
    x[1] = ref(x[1]);
    return x.join('\t');
  }).join('\n'));
  return { parts, slots: outSlots };
}

/** The length of partJson(part) (entries without chars JSON escapes). */
function jsonLength(part: string): number {
  return 1 + part.length + 4 * (part.split('|').length - 1);
}

/** A frame part '|term=K a b|...[|+]' as the text of a JSON object {"term":"K a b",...[,"|":"+"]}. */
export function partJson(part: string): string {
  const o: { [term: string]: string } = {};
  for (const e of part.substring(1).split('|')) {
    if (e === '+') {
      o['|'] = '+';
      continue;
    }
    const eq = e.indexOf('=');
    if (eq <= 0 || /["\\]/.test(e)) throw new Error('compiler: bad frame entry ' + e);
    o[e.substring(0, eq)] = e.substring(eq + 1);
  }
  const text = JSON.stringify(o);
  if (text.length > FRAME_PART_MAX) throw new Error('compiler: frame part too long');
  return text;
}

function lit(s: string): string {
  return JSON.stringify(s);
}

/** The generated module's source text. */
export async function buildDivocTable(dir: string = CONTEXTS_DIR): Promise<string> {
  const c = new Compiler(dir);
  const docRoots: string[] = [];
  for (const r of DOC_ROOTS) docRoots.push(await c.root(r, CREDENTIAL));
  const proofRoots: string[] = [];
  for (const r of PROOF_ROOTS) proofRoots.push(await c.root(r, PROOF_OPTIONS));
  const reserved = '|' + Array.from(c.reserved).filter((t) => /^[A-Za-z][A-Za-z0-9+\-.]*$/.test(t)).sort().join('|') + '|';
  const out: string[] = [];
  out.push('// GENERATED by tools/build/divoc-table.ts from data/divoc/contexts: do not edit.');
  out.push('// Regenerate with `npx tsx tools/build/divoc-table.ts`; test/proto/divoc/table.generated.test.ts checks it is current.');
  out.push('// Format: see the comment at the top of tools/build/divoc-table.ts. Every string is a literal');
  out.push('// returned by a function, so that a board copies to RAM only the part in use (see there).');
  out.push('');
  // A switch of literals: the interpreter reads (lexes) the whole function at each call but
  // allocates only the string returned.
  const sw = (doc: string, name: string, arg: string, items: string[], first: number) => {
    out.push('/** ' + doc + " ('' when there is none). */");
    out.push('export function ' + name + '(' + arg + '): string {');
    out.push('  switch (' + arg.split(':')[0] + ') {');
    items.forEach((it, i) => {
      out.push('    case ' + (i + first) + ':');
      out.push('      return ' + lit(it) + ';');
    });
    out.push('  }');
    out.push("  return '';");
    out.push('}');
    out.push('');
  };
  if (IRI_PREFIXES.length > 9) throw new Error('compiler: too many IRI prefixes');
  sw('The IRI prefix of a packed IRI starting with the digit `code` (1..9)', 'divocIriPrefix', 'code: number', IRI_PREFIXES, 1);
  const split = splitFrames(c.frames, c.slots);
  sw('Frame part p, the text of a JSON object', 'divocFrame', 'p: number', split.parts.map(partJson), 0);
  sw('Slot s', 'divocSlot', 's: number', split.slots, 0);
  out.push('/** The roots of certificate documents, or with `proof` those of the proof options. */');
  out.push('export function divocRoots(proof: boolean): string {');
  out.push('  return proof ? ' + lit(proofRoots.join('\n')) + ' : ' + lit(docRoots.join('\n')) + ';');
  out.push('}');
  out.push('');
  out.push('/** How many frame parts and slots there are (for tests and tools). */');
  out.push('export var DIVOC_FRAME_COUNT = ' + split.parts.length + ';');
  out.push('export var DIVOC_SLOT_COUNT = ' + c.slots.length + ';');
  out.push('');
  out.push('export var DIVOC_RESERVED = ' + lit(reserved) + ';');
  out.push('');
  return out.join('\n');
}

async function main(): Promise<void> {
  const src = await buildDivocTable();
  if (process.argv.indexOf('--check') >= 0) {
    const cur = fs.existsSync(TABLE_FILE) ? fs.readFileSync(TABLE_FILE, 'utf8') : '';
    if (cur !== src) {
      process.stderr.write('divoc-table: ' + TABLE_FILE + ' is stale; run npx tsx tools/build/divoc-table.ts\n');
      process.exit(1);
    }
    return;
  }
  fs.mkdirSync(path.dirname(TABLE_FILE), { recursive: true });
  fs.writeFileSync(TABLE_FILE, src);
  process.stdout.write('wrote ' + TABLE_FILE + ' (' + src.length + ' chars)\n');
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(String((e && e.stack) || e) + '\n');
    process.exit(1);
  });
}
