import type { ConfigEntry, ConfigNode } from './config-node.js';
import { ConfigParseError } from './parse-error.js';

/**
 * Reads a binary property list (`bplist00`, what Xcode ships inside built apps and what `plutil -convert
 * binary1` writes). Layout, from Apple's CFBinaryPList.c:
 *
 *   "bplist00" | objects… | offset table | 32-byte trailer
 *   trailer: 6 unused bytes, offsetIntSize (1), objectRefSize (1), numObjects (8), topObject (8),
 *            offsetTableOffset (8), all big-endian.
 *
 * Each object starts with a marker byte: high nibble = type, low nibble = size or count (0xF: an int object
 * with the real count follows). Every offset, count and reference is bounds-checked and containers are
 * checked for cycles, so a corrupt or hostile file yields a ConfigParseError, never a crash or a hang.
 * Binary plists have no lines; nodes carry `line: undefined`.
 */
export function parseBinaryPlist(bytes: Uint8Array): ConfigNode {
  return new BinaryPlistReader(bytes).read();
}

/** True when the bytes start like a binary plist (any version), which is how files are told apart. */
export function isBinaryPlist(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 6)) === 'bplist';
}

const TRAILER_SIZE = 32;
const HEADER = 'bplist00';
const MAX_DEPTH = 128;

class BinaryPlistReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #offsetIntSize: number;
  readonly #refSize: number;
  readonly #numObjects: number;
  readonly #topObject: number;
  readonly #offsetTable: number;
  /** Containers being read right now: meeting one again means the file contains a reference cycle. */
  readonly #active = new Set<number>();
  /** Objects already read. Writers share objects (one copy of each string); without this cache a small file
   * of nested shared arrays would take exponential time to read. */
  readonly #done = new Map<number, ConfigNode>();

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < HEADER.length + TRAILER_SIZE + 1) fail('file too short');
    const header = String.fromCharCode(...bytes.subarray(0, 8));
    if (header !== HEADER) fail(`unsupported header "${header}" (only bplist00 is supported)`);
    const t = bytes.length - TRAILER_SIZE;
    this.#offsetIntSize = this.#uint(t + 6, 1);
    this.#refSize = this.#uint(t + 7, 1);
    this.#numObjects = this.#uint(t + 8, 8);
    this.#topObject = this.#uint(t + 16, 8);
    this.#offsetTable = this.#uint(t + 24, 8);
    if (this.#offsetIntSize < 1 || this.#offsetIntSize > 8) fail(`bad offset size ${this.#offsetIntSize}`);
    if (this.#refSize < 1 || this.#refSize > 8) fail(`bad object reference size ${this.#refSize}`);
    if (this.#numObjects < 1) fail('no objects');
    if (this.#topObject >= this.#numObjects) fail('top object out of range');
    if (this.#offsetTable < HEADER.length || this.#offsetTable + this.#numObjects * this.#offsetIntSize > t) {
      fail('offset table out of range');
    }
  }

  read(): ConfigNode {
    return this.#object(this.#topObject, 0);
  }

  #object(ref: number, depth: number): ConfigNode {
    const cached = this.#done.get(ref);
    if (cached) return cached;
    const node = this.#readObject(ref, depth);
    this.#done.set(ref, node);
    return node;
  }

  #readObject(ref: number, depth: number): ConfigNode {
    if (ref >= this.#numObjects) fail(`object reference ${ref} out of range`);
    if (depth > MAX_DEPTH) fail('nested too deeply');
    const offset = this.#uint(this.#offsetTable + ref * this.#offsetIntSize, this.#offsetIntSize);
    if (offset < HEADER.length || offset >= this.#offsetTable) fail(`object ${ref} has a bad offset`);
    const marker = this.#uint(offset, 1);
    const type = marker >> 4;
    const info = marker & 0x0f;
    switch (type) {
      case 0x0:
        if (info === 0x8 || info === 0x9) return { kind: 'boolean', line: undefined, value: info === 0x9 };
        if (info === 0x0 || info === 0xf) return { kind: 'null', line: undefined };
        return fail(`unknown marker 0x${marker.toString(16)}`);
      case 0x1:
        return { kind: 'number', line: undefined, value: this.#int(offset + 1, info) };
      case 0x2:
        if (info === 2) return { kind: 'number', line: undefined, value: this.#range(offset + 1, 4).getFloat32(0) };
        if (info === 3) return { kind: 'number', line: undefined, value: this.#range(offset + 1, 8).getFloat64(0) };
        return fail(`bad real size in marker 0x${marker.toString(16)}`);
      case 0x3:
        if (marker !== 0x33) fail(`unknown marker 0x${marker.toString(16)}`);
        this.#range(offset + 1, 8);
        return { kind: 'other', line: undefined, type: 'date' };
      case 0x4: {
        const { count, start } = this.#count(offset, info);
        this.#range(start, count);
        return { kind: 'other', line: undefined, type: 'data' };
      }
      case 0x5: {
        const { count, start } = this.#count(offset, info);
        return { kind: 'string', line: undefined, value: new TextDecoder('latin1').decode(this.#slice(start, count)) };
      }
      case 0x6: {
        const { count, start } = this.#count(offset, info);
        const value = new TextDecoder('utf-16be').decode(this.#slice(start, count * 2));
        return { kind: 'string', line: undefined, value };
      }
      case 0x8:
        this.#range(offset + 1, info + 1);
        return { kind: 'other', line: undefined, type: 'uid' };
      case 0xa:
      case 0xb:
      case 0xc: // ordered sets and sets read as arrays: no rule cares about the difference
        return this.#container(ref, offset, info, depth, false);
      case 0xd:
        return this.#container(ref, offset, info, depth, true);
      default:
        return fail(`unknown marker 0x${marker.toString(16)}`);
    }
  }

  #container(ref: number, offset: number, info: number, depth: number, isDict: boolean): ConfigNode {
    if (this.#active.has(ref)) fail(`object ${ref} contains itself`);
    this.#active.add(ref);
    const { count, start } = this.#count(offset, info);
    const refsAt = (index: number): number => this.#uint(start + index * this.#refSize, this.#refSize);
    this.#range(start, count * this.#refSize * (isDict ? 2 : 1));
    let node: ConfigNode;
    if (isDict) {
      const entries: ConfigEntry[] = [];
      for (let i = 0; i < count; i++) {
        const key = this.#object(refsAt(i), depth + 1);
        if (key.kind !== 'string') fail('dictionary key is not a string');
        else entries.push({ key: key.value, line: undefined, value: this.#object(refsAt(count + i), depth + 1) });
      }
      node = { kind: 'dict', line: undefined, entries };
    } else {
      const items: ConfigNode[] = [];
      for (let i = 0; i < count; i++) items.push(this.#object(refsAt(i), depth + 1));
      node = { kind: 'array', line: undefined, items };
    }
    this.#active.delete(ref);
    return node;
  }

  /** Object length: the marker's low nibble, or (0xF) an int object right after the marker. */
  #count(offset: number, info: number): { count: number; start: number } {
    if (info !== 0xf) return { count: info, start: offset + 1 };
    const intMarker = this.#uint(offset + 1, 1);
    if (intMarker >> 4 !== 0x1) fail('length marker is not an integer');
    const size = 1 << (intMarker & 0x0f);
    const count = this.#int(offset + 2, intMarker & 0x0f);
    if (count < 0 || count > this.#bytes.length) fail(`length ${count} out of range`);
    return { count, start: offset + 2 + size };
  }

  /** Integer object payload of 2^sizeLog2 bytes: 1, 2 and 4 are unsigned, 8 is signed, 16 keeps the low 8. */
  #int(at: number, sizeLog2: number): number {
    if (sizeLog2 > 4) fail(`bad integer size ${1 << sizeLog2}`);
    const size = 1 << sizeLog2;
    if (size < 8) return this.#uint(at, size);
    const view = this.#range(at + size - 8, 8);
    return Number(view.getBigInt64(0));
  }

  /** Unsigned big-endian integer of `size` bytes (1–8), refusing values beyond Number's exact range. */
  #uint(at: number, size: number): number {
    const view = this.#range(at, size);
    let value = 0n;
    for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(view.getUint8(i));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`integer at ${at} too large`);
    return Number(value);
  }

  #slice(at: number, length: number): Uint8Array {
    this.#range(at, length);
    return this.#bytes.subarray(at, at + length);
  }

  #range(at: number, length: number): DataView {
    if (at < 0 || length < 0 || at + length > this.#bytes.length) fail(`read past the end of the file at ${at}`);
    return new DataView(this.#view.buffer, this.#view.byteOffset + at, length);
  }
}

function fail(message: string): never {
  throw new ConfigParseError(`binary plist: ${message}`);
}
