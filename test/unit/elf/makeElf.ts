// Hand-made minimal ELF files: a header, PT_LOAD over the whole file (addresses = offsets), PT_INTERP,
// PT_DYNAMIC with DT_NEEDED/RUNPATH/RPATH/SONAME/FLAGS_1, and section headers for .dynstr and .dynsym.
export interface ElfSpec {
  bits: 32 | 64;
  endian: 'little' | 'big';
  machine: number;
  /** e_type: 2 exec, 3 dyn */
  type?: number;
  flags?: number;
  interp?: string;
  needed?: string[];
  runpath?: string;
  rpath?: string;
  soname?: string;
  flags1?: number;
  /** Undefined symbols in .dynsym */
  imports?: string[];
  /** Defined symbols in .dynsym */
  exports?: string[];
  /** No PT_DYNAMIC at all (a classic static executable). */
  noDynamic?: boolean;
}

export function makeElf(s: ElfSpec): Buffer {
  const w = s.bits === 64 ? 8 : 4;
  const le = s.endian === 'little';
  const ehsize = s.bits === 64 ? 64 : 52;
  const phentsize = s.bits === 64 ? 56 : 32;
  const shentsize = s.bits === 64 ? 64 : 40;
  const symsize = s.bits === 64 ? 24 : 16;

  const strs: string[] = [];
  const strOff = new Map<string, number>();
  let strLen = 1;
  const str = (x: string): number => {
    if (!strOff.has(x)) { strOff.set(x, strLen); strs.push(x); strLen += Buffer.byteLength(x) + 1; }
    return strOff.get(x)!;
  };
  const dyn: [number, number | 'strtab'][] = [];
  for (const n of s.needed ?? []) dyn.push([1, str(n)]);
  if (s.soname !== undefined) dyn.push([14, str(s.soname)]);
  if (s.rpath !== undefined) dyn.push([15, str(s.rpath)]);
  if (s.runpath !== undefined) dyn.push([29, str(s.runpath)]);
  if (s.flags1 !== undefined) dyn.push([0x6ffffffb, s.flags1]);
  const syms = [...(s.imports ?? []).map((n) => ({ name: str(n), shndx: 0 })), ...(s.exports ?? []).map((n) => ({ name: str(n), shndx: 1 }))];
  dyn.push([5, 'strtab'], [0, 0]);
  const dynstr = Buffer.concat([Buffer.from([0]), ...strs.map((x) => Buffer.from(`${x}\0`))]);

  const hasDyn = !s.noDynamic;
  const phnum = 1 + (s.interp !== undefined ? 1 : 0) + (hasDyn ? 1 : 0);
  const interpOff = ehsize + phnum * phentsize;
  const interp = s.interp !== undefined ? Buffer.from(`${s.interp}\0`) : Buffer.alloc(0);
  const dynstrOff = interpOff + interp.length;
  const dynsymOff = align(dynstrOff + dynstr.length, 8);
  const dynsymSize = (syms.length + 1) * symsize;
  const dynOff = align(dynsymOff + dynsymSize, 8);
  const dynSize = hasDyn ? dyn.length * 2 * w : 0;
  const shOff = align(dynOff + dynSize, 8);
  const shnum = 3;
  const total = shOff + shnum * shentsize;
  const b = Buffer.alloc(total);

  const u16 = (o: number, v: number): void => { le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o); };
  const u32 = (o: number, v: number): void => { le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o); };
  const word = (o: number, v: number): void => {
    if (w === 4) u32(o, v);
    else le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o);
  };

  b.write('\x7fELF', 0, 'latin1');
  b[4] = s.bits === 64 ? 2 : 1;
  b[5] = le ? 1 : 2;
  b[6] = 1;
  u16(16, s.type ?? 3);
  u16(18, s.machine);
  u32(20, 1);
  word(24, 0x1000);
  word(24 + w, ehsize);
  word(24 + 2 * w, shOff);
  u32(24 + 3 * w, s.flags ?? 0);
  u16(24 + 3 * w + 4, ehsize);
  u16(24 + 3 * w + 6, phentsize);
  u16(24 + 3 * w + 8, phnum);
  u16(24 + 3 * w + 10, shentsize);
  u16(24 + 3 * w + 12, shnum);
  u16(24 + 3 * w + 14, 0);

  let ph = ehsize;
  const phdr = (type: number, offset: number, size: number): void => {
    u32(ph, type);
    if (s.bits === 64) { word(ph + 8, offset); word(ph + 16, offset); word(ph + 24, offset); word(ph + 32, size); word(ph + 40, size); }
    else { word(ph + 4, offset); word(ph + 8, offset); word(ph + 12, offset); word(ph + 16, size); word(ph + 20, size); }
    ph += phentsize;
  };
  phdr(1, 0, total);
  if (s.interp !== undefined) phdr(3, interpOff, interp.length);
  if (hasDyn) phdr(2, dynOff, dynSize);

  interp.copy(b, interpOff);
  dynstr.copy(b, dynstrOff);
  syms.forEach((sym, i) => {
    const o = dynsymOff + (i + 1) * symsize;
    u32(o, sym.name);
    if (s.bits === 64) u16(o + 6, sym.shndx); else u16(o + 14, sym.shndx);
  });
  if (hasDyn) dyn.forEach(([tag, val], i) => { word(dynOff + i * 2 * w, tag); word(dynOff + i * 2 * w + w, val === 'strtab' ? dynstrOff : val); });

  const sh = (i: number, type: number, offset: number, size: number, link: number, entsize: number): void => {
    const o = shOff + i * shentsize;
    u32(o + 4, type);
    word(o + 8 + 2 * w, offset);
    word(o + 8 + 3 * w, size);
    u32(o + 8 + 4 * w, link);
    word(o + 16 + 5 * w, entsize);
  };
  sh(1, 3, dynstrOff, dynstr.length, 0, 0);
  sh(2, 11, dynsymOff, dynsymSize, 1, symsize);
  return b;
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;
