import { describe, expect, it } from 'vitest';
import {
  children,
  namedBits,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  time,
  unsignedInteger,
} from '../../../emulator/x509/der';

const hex = (buffer: Buffer) => buffer.toString('hex');

describe('DER encoding', () => {
  it('writes integers in their shortest positive form', () => {
    expect(hex(unsignedInteger(0n))).toBe('020100');
    expect(hex(unsignedInteger(127))).toBe('02017f');
    expect(hex(unsignedInteger(128n))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(unsignedInteger(Buffer.from([0xff, 0x01])))).toBe('020300ff01');
    expect(() => unsignedInteger(-1n)).toThrow(RangeError);
  });

  it('writes long lengths in the long form', () => {
    expect(hex(octetString(Buffer.alloc(127)).subarray(0, 2))).toBe('047f');
    expect(hex(octetString(Buffer.alloc(200)).subarray(0, 3))).toBe('0481c8');
    expect(hex(octetString(Buffer.alloc(300)).subarray(0, 4))).toBe('0482012c');
  });

  it('writes object identifiers in base 128', () => {
    expect(hex(objectIdentifier('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(objectIdentifier('2.5.29.17'))).toBe('0603551d11');
  });

  it('drops trailing zero bits from named bit strings', () => {
    // digitalSignature, keyCertSign, cRLSign: 1000 0110, one unused bit.
    expect(hex(namedBits([0, 5, 6]))).toBe('03020186');
    // digitalSignature alone: seven unused bits.
    expect(hex(namedBits([0]))).toBe('03020780');
  });

  it('uses UTCTime through 2049 and GeneralizedTime outside 1950–2049', () => {
    const text = (der: Buffer) => ({ tag: der[0], value: der.subarray(2).toString('ascii') });
    expect(text(time(Date.UTC(2049, 11, 31, 23, 59, 59)))).toEqual({ tag: 0x17, value: '491231235959Z' });
    expect(text(time(Date.UTC(1950, 0, 1)))).toEqual({ tag: 0x17, value: '500101000000Z' });
    expect(text(time(Date.UTC(2050, 0, 1)))).toEqual({ tag: 0x18, value: '20500101000000Z' });
    expect(text(time(Date.UTC(1949, 11, 31, 23, 59, 59)))).toEqual({ tag: 0x18, value: '19491231235959Z' });
  });

  it('reads back what it writes', () => {
    const der = sequence(unsignedInteger(5n), octetString(Buffer.alloc(300, 1)));
    const [integer, octets] = children(der, readElement(der, 0));
    expect(integer && der.subarray(integer.contentStart, integer.end)).toEqual(Buffer.from([5]));
    expect(octets && octets.end - octets.contentStart).toBe(300);
  });
});
