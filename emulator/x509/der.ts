/**
 * Just enough DER (ITU-T X.690) to write X.509 certificates and to find the two fields we need in an issuer's
 * certificate. Every encoder returns one complete TLV, so certificates are built by nesting calls.
 */

/** Universal and context-specific tags used by X.509. */
export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  Sequence: 0x30,
  Set: 0x31,
} as const;

/** One TLV: tag byte, minimal definite length, content. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function sequence(...items: Buffer[]): Buffer {
  return tlv(Tag.Sequence, Buffer.concat(items));
}

/** A SET OF with one member needs no sorting, which is the only kind a certificate name uses here. */
export function set(...items: Buffer[]): Buffer {
  return tlv(Tag.Set, Buffer.concat(items));
}

export function boolean(value: boolean): Buffer {
  return tlv(Tag.Boolean, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return tlv(Tag.Null, Buffer.alloc(0));
}

/**
 * A non-negative INTEGER. A Buffer is read as an unsigned big-endian magnitude (as serial numbers are usually
 * handled); DER wants the shortest two's-complement form, hence the stripping and the 0x00 pad.
 */
export function unsignedInteger(value: bigint | number | Buffer): Buffer {
  let magnitude: Buffer;
  if (Buffer.isBuffer(value)) {
    magnitude = value;
  } else {
    const big = BigInt(value);
    if (big < 0n) throw new RangeError(`DER integer must not be negative, got ${big}`);
    const hex = big.toString(16);
    magnitude = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  }
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let content = magnitude.subarray(start);
  if (content.length === 0) content = Buffer.from([0]);
  if ((content[0] ?? 0) & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  return tlv(Tag.Integer, content);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new Error(`not an object identifier: ${dotted}`);
    return BigInt(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new Error(`not an object identifier: ${dotted}`);
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    // Base-128, most significant group first, continuation bit on all but the last.
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) groups.unshift(Number(rest & 0x7fn) | 0x80);
    bytes.push(...groups);
  }
  return tlv(Tag.ObjectIdentifier, Buffer.from(bytes));
}

/** A BIT STRING holding whole bytes (keys, signatures). */
export function bitString(bytes: Buffer): Buffer {
  return tlv(Tag.BitString, Buffer.concat([Buffer.from([0]), bytes]));
}

/**
 * A named-bit BIT STRING (KeyUsage), bit 0 being the most significant bit of the first byte. DER drops
 * trailing zero bits, so the length and the unused-bit count depend on the highest bit set.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return tlv(Tag.BitString, Buffer.from([0]));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) {
    const index = Math.floor(bit / 8);
    bytes[index] = (bytes[index] ?? 0) | (0x80 >> (bit % 8));
  }
  const unused = 7 - (highest % 8);
  return tlv(Tag.BitString, Buffer.concat([Buffer.from([unused]), bytes]));
}

export function octetString(bytes: Buffer): Buffer {
  return tlv(Tag.OctetString, bytes);
}

export function utf8String(text: string): Buffer {
  return tlv(Tag.Utf8String, Buffer.from(text, 'utf8'));
}

export function printableString(text: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text))
    throw new Error(`not a PrintableString: ${JSON.stringify(text)}`);
  return tlv(Tag.PrintableString, Buffer.from(text, 'ascii'));
}

/** The bytes of IA5 (7-bit ASCII) text, as in the `[2] IMPLICIT IA5String` of a dNSName. */
export function asciiBytes(text: string): Buffer {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) throw new Error(`not IA5 (ASCII) text: ${JSON.stringify(text)}`);
  }
  return Buffer.from(text, 'ascii');
}

/** `[n] EXPLICIT`: the whole inner TLV wrapped in a constructed context tag. */
export function explicit(tagNumber: number, inner: Buffer): Buffer {
  return tlv(0xa0 | tagNumber, inner);
}

/** `[n] IMPLICIT` for a primitive type: the inner tag replaced, content kept. */
export function implicitPrimitive(tagNumber: number, content: Buffer): Buffer {
  return tlv(0x80 | tagNumber, content);
}

/**
 * An X.509 Time at whole-second precision. RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050
 * (and, by the same rule, before 1950).
 */
export function time(epochMs: number): Buffer {
  const date = new Date(epochMs);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(epochMs) || year < 0 || year > 9999) {
    throw new RangeError(`cannot encode ${epochMs} as an X.509 time`);
  }
  const two = (n: number) => String(n).padStart(2, '0');
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds());
  if (year >= 1950 && year <= 2049) {
    return tlv(Tag.UtcTime, Buffer.from(`${two(year % 100)}${rest}Z`, 'ascii'));
  }
  return tlv(Tag.GeneralizedTime, Buffer.from(`${String(year).padStart(4, '0')}${rest}Z`, 'ascii'));
}

/** Where one TLV sits inside a buffer. `contentStart..end` is its content; `start..end` the whole TLV. */
export interface DerElement {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the TLV header at `offset`. Definite lengths only, as DER requires. */
export function readElement(der: Buffer, offset: number): DerElement {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new Error(`DER truncated at offset ${offset}`);
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error(`unsupported DER length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error(`DER element at offset ${offset} runs past the end`);
  return { tag, start: offset, contentStart, end };
}

/** The direct children of a constructed element. */
export function children(der: Buffer, parent: DerElement): DerElement[] {
  const found: DerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const element = readElement(der, offset);
    found.push(element);
    offset = element.end;
  }
  return found;
}
