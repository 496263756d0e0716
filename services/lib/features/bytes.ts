// A growable byte writer and a bounds-checked reader for the feature state codec: unsigned and
// zig-zag varints (exact up to 2^52, in plain arithmetic since JS bit operators are 32-bit),
// float64, numbers in the shorter of the two, and strings.
import { FeatureStateDecodeError } from './errors.js';

/** Largest magnitude written as a zig-zag varint; beyond it (and for fractions, -0) numbers are float64. */
const MAX_VARINT_INT = 2 ** 52;

/** Whether `n` is written as a zig-zag varint rather than float64. */
export function isVarintInt(n: number): boolean {
  return Number.isSafeInteger(n) && Math.abs(n) <= MAX_VARINT_INT && !Object.is(n, -0);
}

/** A well-formed string is written as UTF-8; one with a lone surrogate (which UTF-8 cannot carry) as UTF-16. */
const LONE_SURROGATE = /\p{Cs}/u;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  private buffer = new Uint8Array(64);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buffer[this.length++] = b;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** A whole number 0 <= n <= 2^53, 7 bits a byte, low bits first. */
  uvarint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  /** A whole number |n| <= 2^52: 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
  zigzag(n: number): void {
    this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  float64(n: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, n, true);
    this.length += 8;
  }

  /** One number, exactly: a tag byte (0 zig-zag varint, 1 float64) and the number. */
  number(n: number): void {
    if (isVarintInt(n)) {
      this.byte(0);
      this.zigzag(n);
    } else {
      this.byte(1);
      this.float64(n);
    }
  }

  /** A column of numbers, exactly: one tag byte for all (0 zig-zag varints, 1 float64s), no count. */
  numbers(column: readonly number[]): void {
    const ints = column.every(isVarintInt);
    this.byte(ints ? 0 : 1);
    for (const n of column) {
      if (ints) this.zigzag(n);
      else this.float64(n);
    }
  }

  /** A string: tag 0 + UTF-8, or tag 1 + UTF-16 code units when it has a lone surrogate; length-prefixed. */
  string(s: string): void {
    if (LONE_SURROGATE.test(s)) {
      this.byte(1);
      this.uvarint(s.length);
      for (let i = 0; i < s.length; i++) {
        const unit = s.charCodeAt(i);
        this.byte(unit & 0xff);
        this.byte(unit >> 8);
      }
      return;
    }
    const encoded = utf8.encode(s);
    this.byte(0);
    this.uvarint(encoded.length);
    this.bytes(encoded);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get done(): boolean {
    return this.offset >= this.data.length;
  }

  fail(reason: string, at: number = this.offset): never {
    throw new FeatureStateDecodeError(at, reason);
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.data.length)
      this.fail(`truncated: ${bytes} more byte(s) needed, ${this.data.length - this.offset} left`);
  }

  /** Moves past `bytes` bytes. */
  skip(bytes: number): void {
    this.need(bytes);
    this.offset += bytes;
  }

  /** The next byte, without consuming it. */
  peek(): number {
    this.need(1);
    return this.data[this.offset] as number;
  }

  byte(): number {
    this.need(1);
    return this.data[this.offset++] as number;
  }

  uvarint(): number {
    const start = this.offset;
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 53) this.fail('varint longer than 53 bits', start);
    }
    return n;
  }

  zigzag(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float64(): number {
    this.need(8);
    const n = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return n;
  }

  number(): number {
    const at = this.offset;
    const tag = this.byte();
    if (tag === 0) return this.zigzag();
    if (tag === 1) return this.float64();
    return this.fail(`unknown number tag ${tag}`, at);
  }

  numbers(count: number): number[] {
    const at = this.offset;
    const tag = this.byte();
    if (tag !== 0 && tag !== 1) this.fail(`unknown number column tag ${tag}`, at);
    const column = new Array<number>(count);
    for (let i = 0; i < count; i++) column[i] = tag === 0 ? this.zigzag() : this.float64();
    return column;
  }

  /** A count that must fit in what is left of the input (each item takes at least one byte). */
  count(): number {
    const at = this.offset;
    const n = this.uvarint();
    if (n > this.data.length - this.offset)
      this.fail(`count ${n} exceeds the ${this.data.length - this.offset} byte(s) left`, at);
    return n;
  }

  string(): string {
    const at = this.offset;
    const tag = this.byte();
    if (tag === 1) {
      const units = this.count();
      this.need(units * 2);
      let s = '';
      for (let i = 0; i < units; i++)
        s += String.fromCharCode(
          (this.data[this.offset + 2 * i] as number) | ((this.data[this.offset + 2 * i + 1] as number) << 8),
        );
      this.offset += units * 2;
      return s;
    }
    if (tag !== 0) this.fail(`unknown string tag ${tag}`, at);
    const length = this.count();
    this.need(length);
    const bytes = this.data.subarray(this.offset, this.offset + length);
    let s: string;
    try {
      s = utf8Strict.decode(bytes);
    } catch (error) {
      throw new FeatureStateDecodeError(this.offset, 'invalid UTF-8 in a string', { cause: error });
    }
    this.offset += length;
    return s;
  }
}
