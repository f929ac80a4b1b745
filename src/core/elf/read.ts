import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { archOfElf } from '../kernel/arch';

/** Bytes of a file, read by range: a Buffer in tests, a file descriptor otherwise. */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Buffer;
}

export const bufferSource = (b: Buffer): ByteSource => ({ size: b.length, read: (o, l) => b.subarray(o, Math.min(b.length, o + l)) });

/** How a program is linked: by its program headers and dynamic section. */
export type Linking = 'static' | 'static-pie' | 'dynamic';

export interface ElfFile {
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  /** `e_type`: exec, dyn (a PIE or a shared library), rel, core, or the number. */
  readonly type: 'exec' | 'dyn' | 'rel' | 'core' | number;
  readonly machine: number;
  readonly flags: number;
  /** Debian's name for the architecture, when it has one. */
  readonly arch?: string;
  /** `PT_INTERP`: the dynamic loader's path. */
  readonly interpreter?: string;
  readonly linking: Linking;
  /** `DT_NEEDED`, in order. */
  readonly needed: readonly string[];
  readonly soname?: string;
  /** `DT_RUNPATH` and `DT_RPATH`, split at `:`, unexpanded (`$ORIGIN/../lib`). */
  readonly runpath: readonly string[];
  readonly rpath: readonly string[];
  /** Undefined symbols of `.dynsym` (what it imports), when asked for. */
  readonly imports?: readonly string[];
  /** Defined symbols of `.dynsym` (what it exports), when asked for. */
  readonly exports?: readonly string[];
}

export interface ParseOptions {
  /** Read `.dynsym`'s undefined symbols. */
  readonly imports?: boolean;
  /** Read `.dynsym`'s defined symbols. */
  readonly exports?: boolean;
}

export type ElfResult = { readonly ok: true; readonly elf: ElfFile } | { readonly ok: false; readonly error: string };

class Truncated extends Error {}
class Malformed extends Error {}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_FLAGS_1 = 0x6ffffffb;
const DF_1_PIE = 0x08000000;
const SHT_DYNSYM = 11;
const SHN_UNDEF = 0;
const TYPES = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' } as const;
/** Enough for any real header table; a larger count is a damaged file, not a reason to allocate. */
const MAX_ENTRIES = 1 << 16;

/** Why a file is not ELF, in the user's words, from its first bytes. */
function notElf(head: Buffer): string {
  if (head.length === 0) return 'empty file';
  if (head.subarray(0, 2).toString('latin1') === '#!') return `not an ELF file: a script (${head.toString('latin1').split('\n')[0]!.slice(0, 60)})`;
  return `not an ELF file (starts with ${[...head.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
}

/**
 * Reads an ELF file's header, program headers and dynamic section (and, with `imports`, the
 * undefined symbols of `.dynsym`). Never throws: a file that is not ELF, is truncated or damaged
 * gives `{ ok: false, error }`.
 */
export function parseElf(src: ByteSource, opts: ParseOptions = {}): ElfResult {
  try {
    return { ok: true, elf: parse(src, opts) };
  } catch (e) {
    if (e instanceof Truncated) return { ok: false, error: `truncated ELF file (${src.size} bytes): ${e.message}` };
    if (e instanceof Malformed) return { ok: false, error: e.message };
    return { ok: false, error: `unreadable ELF file: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** parseElf of a file on disk; a missing or unreadable file is an error result too. */
export function readElf(path: string, opts: ParseOptions = {}): ElfResult {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { return { ok: false, error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message }; }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, error: 'not a regular file' };
    const src: ByteSource = {
      size: st.size,
      read: (offset, length) => {
        const len = Math.max(0, Math.min(length, st.size - offset));
        const b = Buffer.allocUnsafe(len);
        let got = 0;
        while (got < len) { const n = readSync(fd, b, got, len - got, offset + got); if (n === 0) break; got += n; }
        return b.subarray(0, got);
      },
    };
    return parseElf(src, opts);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

function parse(src: ByteSource, opts: ParseOptions): ElfFile {
  const ident = src.read(0, 16);
  if (ident.length < 4 || ident[0] !== 0x7f || ident.toString('latin1', 1, 4) !== 'ELF') throw new Malformed(notElf(src.read(0, 64)));
  if (ident.length < 16) throw new Truncated('the identification bytes end early');
  const bits = ident[4] === 1 ? 32 : ident[4] === 2 ? 64 : undefined;
  const endian = ident[5] === 1 ? 'little' : ident[5] === 2 ? 'big' : undefined;
  if (bits === undefined) throw new Malformed(`damaged ELF file: unknown class ${ident[4]}`);
  if (endian === undefined) throw new Malformed(`damaged ELF file: unknown byte order ${ident[5]}`);
  const le = endian === 'little';
  const at = (buf: Buffer, what: string) => ({
    u16: (o: number): number => { need(buf, o, 2, what); return le ? buf.readUInt16LE(o) : buf.readUInt16BE(o); },
    u32: (o: number): number => { need(buf, o, 4, what); return le ? buf.readUInt32LE(o) : buf.readUInt32BE(o); },
    word: (o: number): number => {
      if (bits === 32) { need(buf, o, 4, what); return le ? buf.readUInt32LE(o) : buf.readUInt32BE(o); }
      need(buf, o, 8, what);
      const v = le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    },
  });
  const ehdr = src.read(0, bits === 64 ? 64 : 52);
  const h = at(ehdr, 'the ELF header');
  const w = bits === 64 ? 8 : 4;
  const typeNum = h.u16(16);
  const machine = h.u16(18);
  const phoff = h.word(24 + w);
  const shoff = h.word(24 + 2 * w);
  const flags = h.u32(24 + 3 * w);
  const phentsize = h.u16(24 + 3 * w + 6);
  const phnum = h.u16(24 + 3 * w + 8);
  const shentsize = h.u16(24 + 3 * w + 10);
  const shnum = h.u16(24 + 3 * w + 12);
  const type = (TYPES as Record<number, ElfFile['type']>)[typeNum] ?? typeNum;
  const arch = archOfElf(machine, bits, endian, flags)?.name;

  // Program headers: the loader, the dynamic section, and the LOAD map from addresses to file offsets.
  const loads: { vaddr: number; offset: number; filesz: number }[] = [];
  let interpreter: string | undefined;
  let dynamic: { offset: number; size: number } | undefined;
  if (phnum > 0) {
    if (phentsize < (bits === 64 ? 56 : 32)) throw new Malformed(`damaged ELF file: program header size ${phentsize}`);
    const table = src.read(phoff, phnum * phentsize);
    const p = at(table, 'the program headers');
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const ptype = p.u32(o);
      const offset = bits === 64 ? p.word(o + 8) : p.word(o + 4);
      const vaddr = bits === 64 ? p.word(o + 16) : p.word(o + 8);
      const filesz = bits === 64 ? p.word(o + 32) : p.word(o + 16);
      if (ptype === PT_LOAD) loads.push({ vaddr, offset, filesz });
      else if (ptype === PT_DYNAMIC) dynamic = { offset, size: filesz };
      else if (ptype === PT_INTERP) {
        const b = src.read(offset, filesz);
        if (b.length < filesz) throw new Truncated('the interpreter path (PT_INTERP) lies past the end');
        interpreter = cString(b, 0);
      }
    }
  }
  const fileOffset = (addr: number): number | undefined => {
    for (const l of loads) if (addr >= l.vaddr && addr < l.vaddr + l.filesz) return addr - l.vaddr + l.offset;
    return undefined;
  };

  const needed: string[] = [];
  const runpath: string[] = [];
  const rpath: string[] = [];
  let soname: string | undefined;
  let flags1 = 0;
  let hasDynamic = false;
  if (dynamic) {
    hasDynamic = true;
    const entSize = 2 * w;
    const count = Math.min(Math.floor(dynamic.size / entSize), MAX_ENTRIES);
    const dyn = src.read(dynamic.offset, count * entSize);
    if (dyn.length < count * entSize) throw new Truncated('the dynamic section lies past the end');
    const d = at(dyn, 'the dynamic section');
    const strings: { tag: number; val: number }[] = [];
    let strtab: number | undefined;
    let strsz = 0;
    for (let i = 0; i < count; i++) {
      const tag = d.word(i * entSize);
      const val = d.word(i * entSize + w);
      if (tag === DT_NULL) break;
      if (tag === DT_STRTAB) strtab = val;
      else if (tag === DT_STRSZ) strsz = val;
      else if (tag === DT_FLAGS_1) flags1 = val;
      else if (tag === DT_NEEDED || tag === DT_SONAME || tag === DT_RPATH || tag === DT_RUNPATH) strings.push({ tag, val });
    }
    if (strings.length > 0) {
      const base = strtab !== undefined ? fileOffset(strtab) : undefined;
      if (base === undefined) throw new Malformed('damaged ELF file: the dynamic string table is not in a loaded segment');
      // One read of the string table when its size is given (and sane), else string by string.
      const table = strsz > 0 && strsz < 1 << 24 ? src.read(base, strsz) : undefined;
      for (const { tag, val } of strings) {
        const end = table && val < table.length ? table.indexOf(0, val) : -1;
        const s = table && end >= 0 ? table.toString('utf8', val, end) : readString(src, base + val);
        if (tag === DT_NEEDED) needed.push(s);
        else if (tag === DT_SONAME) soname = s;
        else (tag === DT_RUNPATH ? runpath : rpath).push(...s.split(':').filter((x) => x !== ''));
      }
    }
  }
  let linking: Linking;
  if (interpreter !== undefined) linking = 'dynamic';
  else if (!hasDynamic) linking = 'static';
  else if (type === 'dyn' && ((flags1 & DF_1_PIE) !== 0 || (needed.length === 0 && soname === undefined))) linking = 'static-pie';
  else linking = 'dynamic';

  const syms = (opts.imports || opts.exports) && hasDynamic ? dynamicSymbols(src, at, bits, shoff, shnum, shentsize) : undefined;
  const imports = opts.imports ? syms?.imports ?? [] : undefined;
  const exports = opts.exports ? syms?.exports ?? [] : undefined;
  return {
    bits, endian, type, machine, flags, ...(arch !== undefined ? { arch } : {}),
    ...(interpreter !== undefined ? { interpreter } : {}), linking, needed,
    ...(soname !== undefined ? { soname } : {}), runpath, rpath, ...(imports ? { imports } : {}), ...(exports ? { exports } : {}),
  };
}

type Reader = (buf: Buffer, what: string) => { u16(o: number): number; u32(o: number): number; word(o: number): number };

/** The undefined (imported) and defined (exported) symbol names of `.dynsym`, through the section headers. */
function dynamicSymbols(src: ByteSource, at: Reader, bits: 32 | 64, shoff: number, shnum: number, shentsize: number): { imports: string[]; exports: string[] } {
  const out = { imports: [] as string[], exports: [] as string[] };
  if (shoff === 0 || shnum === 0) return out;
  if (shentsize < (bits === 64 ? 64 : 40) || shnum > MAX_ENTRIES) throw new Malformed(`damaged ELF file: section header size ${shentsize}`);
  const table = src.read(shoff, shnum * shentsize);
  const s = at(table, 'the section headers');
  const w = bits === 64 ? 8 : 4;
  const section = (i: number): { type: number; offset: number; size: number; link: number; entsize: number } => {
    const o = i * shentsize;
    return {
      type: s.u32(o + 4),
      offset: s.word(o + 8 + 2 * w),
      size: s.word(o + 8 + 3 * w),
      link: s.u32(o + 8 + 4 * w),
      entsize: s.word(o + 16 + 5 * w),
    };
  };
  for (let i = 0; i < shnum; i++) {
    const sec = section(i);
    if (sec.type !== SHT_DYNSYM) continue;
    if (sec.link >= shnum) throw new Malformed('damaged ELF file: .dynsym names no string table');
    const strs = section(sec.link);
    const entsize = sec.entsize || (bits === 64 ? 24 : 16);
    const syms = src.read(sec.offset, sec.size);
    if (syms.length < sec.size) throw new Truncated('the dynamic symbol table lies past the end');
    const strBuf = src.read(strs.offset, strs.size);
    const y = at(syms, '.dynsym');
    for (let k = 1; k * entsize + entsize <= syms.length; k++) {
      const o = k * entsize;
      const name = y.u32(o);
      const shndx = bits === 64 ? y.u16(o + 6) : y.u16(o + 14);
      if (name !== 0 && name < strBuf.length) (shndx === SHN_UNDEF ? out.imports : out.exports).push(cString(strBuf, name));
    }
  }
  return out;
}

function need(buf: Buffer, o: number, n: number, what: string): void {
  if (o + n > buf.length) throw new Truncated(`${what} end early`);
}

function cString(b: Buffer, o: number): string {
  const end = b.indexOf(0, o);
  return b.toString('utf8', o, end < 0 ? b.length : end);
}

function readString(src: ByteSource, offset: number): string {
  let out = '';
  for (let o = offset; ; o += 256) {
    const chunk = src.read(o, 256);
    if (chunk.length === 0) throw new Truncated('a dynamic string lies past the end');
    const end = chunk.indexOf(0);
    if (end >= 0) return out + chunk.toString('utf8', 0, end);
    out += chunk.toString('utf8');
    if (out.length > 4096) throw new Malformed('damaged ELF file: an unterminated dynamic string');
  }
}
