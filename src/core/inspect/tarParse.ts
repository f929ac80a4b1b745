/** One entry of a tar stream, PAX and GNU long names applied. */
export interface TarHeader {
  readonly name: string;
  readonly type: 'file' | 'link' | 'symlink' | 'directory' | 'other';
  /** Bytes of data after the header. */
  readonly size: number;
  /** A symlink's target, or the path a hard link names. */
  readonly linkname: string | undefined;
  /** Where the entry's data starts in the stream (after its header). */
  readonly offset: number;
}

export interface TarVisitor {
  /** An entry; true to be given its data. */
  entry(h: TarHeader): boolean;
  /** Data of the entry that asked for it: a view on the pushed chunk, valid only during the call. */
  data(bytes: Buffer): void;
  /** That entry's data is complete. */
  end(): void;
}

const BLOCK = 512;
const MAX_LONG_HEADER = 4 << 20;
const USTAR = Buffer.from('ustar\0', 'latin1');
const GNU = Buffer.from('ustar  \0', 'latin1');

/**
 * A synchronous tar reader for the layer scan: chunks in, a visitor called per entry, data only for the
 * entries that ask. tar-stream (which the image archive's outer tar still uses) makes a stream and a full
 * header object (dates, owners) per entry and an event per chunk: on a 7,000-file layer that was most of
 * the scan's CPU. Reads what tar-stream reads (ustar, GNU, PAX, GNU long names, base-256 sizes) with its
 * checks and messages (checksum, unknown format, unexpected end); test/unit/inspect/tarParse.test.ts
 * holds the two to the same entries on generated archives.
 */
export class TarParser {
  private pos = 0;
  private readonly head = Buffer.alloc(BLOCK);
  private headLen = 0;
  /** Data bytes of the current entry still to come, then its padding. */
  private data = 0;
  private pad = 0;
  private giving = false;
  /** A long-name or PAX record being collected, and what it is. */
  private long: { kind: 'path' | 'link' | 'pax' | 'global'; parts: Buffer[]; left: number } | undefined;
  private longPath: string | undefined;
  private longLink: string | undefined;
  private pax: Record<string, string> | undefined;
  private global: Record<string, string> | undefined;

  constructor(private readonly visitor: TarVisitor) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.data > 0) {
        const n = Math.min(this.data, chunk.length - at);
        if (this.giving) this.visitor.data(chunk.subarray(at, at + n));
        else if (this.long) this.long.parts.push(Buffer.from(chunk.subarray(at, at + n)));
        this.data -= n;
        at += n;
        if (this.data === 0) this.dataDone();
        continue;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, chunk.length - at);
        this.pad -= n;
        at += n;
        continue;
      }
      // A header: straight from the chunk when it holds all 512 bytes, else gathered.
      let block: Buffer;
      if (this.headLen === 0 && chunk.length - at >= BLOCK) {
        block = chunk.subarray(at, at + BLOCK);
        at += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.headLen, chunk.length - at);
        chunk.copy(this.head, this.headLen, at, at + n);
        this.headLen += n;
        at += n;
        if (this.headLen < BLOCK) continue;
        this.headLen = 0;
        block = this.head;
      }
      this.pos += BLOCK;
      this.header(block);
    }
  }

  /** The stream ended: throws unless it ended between entries. */
  end(): void {
    if (this.data > 0 || this.pad > 0 || this.headLen > 0) throw new Error('Unexpected end of data');
  }

  private header(b: Buffer): void {
    let sum = 8 * 32;
    for (let i = 0; i < 148; i++) sum += b[i]!;
    for (let i = 156; i < BLOCK; i++) sum += b[i]!;
    if (sum === 8 * 32) return; // a zero block: the end marker (or padding after it)
    if (sum !== octal(b, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?');
    let name = text(b, 0, 100);
    if (b.compare(USTAR, 0, 6, 257, 263) === 0) {
      if (b[345] !== 0) name = `${text(b, 345, 155)}/${name}`;
    } else if (b.compare(GNU, 0, 8, 257, 265) !== 0) {
      throw new Error('Invalid tar header: unknown format.');
    }
    let size = octal(b, 124, 12);
    const flag = b[156]!;
    let linkname = b[157] === 0 ? undefined : text(b, 157, 100);
    const dataStart = this.pos;
    const long = flag === 0x4c || flag === 0x4e ? 'path' : flag === 0x4b ? 'link' : flag === 0x78 ? 'pax' : flag === 0x67 ? 'global' : undefined;
    if (long) {
      if (!(size >= 0) || size > MAX_LONG_HEADER) throw new Error('Header exceeds max size');
      this.long = { kind: long, parts: [], left: size };
      this.startData(size, false);
      return;
    }
    if (this.longPath !== undefined) { name = this.longPath; this.longPath = undefined; }
    if (this.longLink !== undefined) { linkname = this.longLink; this.longLink = undefined; }
    if (this.pax) {
      if (this.pax['path']) name = this.pax['path'];
      if (this.pax['linkpath']) linkname = this.pax['linkpath'];
      if (this.pax['size']) size = parseInt(this.pax['size'], 10);
      this.pax = undefined;
    }
    if (!(size >= 0)) throw new Error('Invalid header');
    // A regular file's flag even when an old tar's name ends in `/` (as tar-stream, which the scan used before).
    const type = flag === 0 || flag === 0x30 || flag === 0x37 ? 'file'
      : flag === 0x31 ? 'link' : flag === 0x32 ? 'symlink' : flag === 0x35 ? 'directory' : 'other';
    const give = this.visitor.entry({ name, type, size, linkname, offset: dataStart });
    this.startData(size, give);
  }

  private startData(size: number, give: boolean): void {
    this.giving = give;
    this.data = size;
    this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
    this.pos += size + this.pad;
    if (size === 0) this.dataDone();
  }

  private dataDone(): void {
    if (this.giving) { this.giving = false; this.visitor.end(); return; }
    const l = this.long;
    if (!l) return;
    this.long = undefined;
    const body = Buffer.concat(l.parts);
    switch (l.kind) {
      case 'path': this.longPath = text(body, 0, body.length); break;
      case 'link': this.longLink = text(body, 0, body.length); break;
      case 'global': this.global = paxRecords(body); break;
      case 'pax': this.pax = this.global ? { ...this.global, ...paxRecords(body) } : paxRecords(body); break;
    }
  }
}

/** A NUL-terminated field, as UTF-8 (the NUL found by a loop: Buffer.indexOf's call into C++ cost more per header). */
function text(b: Buffer, start: number, length: number): string {
  const end = start + length;
  let nul = start;
  while (nul < end && b[nul] !== 0) nul++;
  return b.toString('utf8', start, nul);
}

/** A numeric field: octal (leading spaces, up to a space or NUL), or base-256 when its first bit is set. */
function octal(b: Buffer, start: number, length: number): number {
  const end = start + length;
  if (b[start]! & 0x80) {
    const positive = b[start] === 0x80;
    if (!positive && b[start] !== 0xff) return NaN;
    let sum = 0;
    for (let i = start + 1; i < end; i++) sum = sum * 256 + (positive ? b[i]! : 0xff - b[i]!);
    return positive ? sum : -sum;
  }
  let i = start;
  while (i < end && b[i] === 0x20) i++;
  let stop = i;
  while (stop < end && b[stop] !== 0x20) stop++;
  while (i < stop && b[i] === 0) i++;
  if (i === stop) return 0;
  let n = 0;
  let digits = 0;
  for (; i < stop; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 7) break;
    n = n * 8 + d;
    digits++;
  }
  return digits > 0 ? n : NaN;
}

/** PAX extended header records: `LEN key=value\n`. */
function paxRecords(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < b.length) {
    let sp = at;
    while (sp < b.length && b[sp] !== 0x20) sp++;
    const len = parseInt(b.toString('latin1', at, sp), 10);
    if (!len) return out;
    const rec = b.toString('utf8', sp + 1, at + len - 1);
    const eq = rec.indexOf('=');
    if (eq < 0) return out;
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    at += len;
  }
  return out;
}
