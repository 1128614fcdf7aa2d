// Expected values from snappy's format_description.txt: a block starts with the decompressed length as a
// little-endian varint of at most five bytes (2097150 is `FE FF 7F`), then elements; a literal of n ≤ 60 bytes
// is the tag byte `(n − 1) << 2` followed by the bytes, and a 1-byte-offset copy is
// `(len − 4) << 2 | offset >> 8 << 5 | 1` followed by the offset's low byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSnappyBlock, SnappyError, snappyDecodedLength } from './snappy-block.js';

function fails(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof SnappyError, 'a SnappyError');
    assert.equal(error.name, 'SnappyError');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

const hello = Uint8Array.from([0x05, 0x10, ...Buffer.from('hello')]);

test('snappy: the length preamble is a little-endian varint of up to five bytes', () => {
  const cases: [number[], number][] = [
    [[0x00], 0],
    [[0x05, 0x10], 5],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xfe, 0xff, 0x7f], 2097150],
    [[0x80, 0x80, 0x80, 0x80, 0x01], 2 ** 28],
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 2 ** 32 - 1],
  ];
  for (const [bytes, length] of cases) assert.equal(snappyDecodedLength(Uint8Array.from(bytes)), length, `${bytes}`);
});

test('snappy: a preamble that is cut short or runs past five bytes is an error', () => {
  fails(() => snappyDecodedLength(new Uint8Array(0)), 'truncated snappy block: no length preamble');
  fails(() => snappyDecodedLength(Uint8Array.from([0x80])), 'truncated snappy block: no length preamble');
  fails(
    () => snappyDecodedLength(Uint8Array.from([0x80, 0x80, 0x80, 0x80])),
    'truncated snappy block: no length preamble',
  );
  fails(() => snappyDecodedLength(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80])), 'invalid snappy length preamble');
  fails(
    () => snappyDecodedLength(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
    'invalid snappy length preamble',
  );
});

test('snappy: a block decompresses up to the limit, and one over it is refused before decoding', () => {
  assert.equal(Buffer.from(decodeSnappyBlock(hello, 5)).toString(), 'hello');
  assert.equal(Buffer.from(decodeSnappyBlock(hello, 1 << 20)).toString(), 'hello');
  // "abcd" then a copy of length 4 at offset 4: "abcdabcd"
  const copy = Uint8Array.from([0x08, 0x0c, ...Buffer.from('abcd'), 0x01, 0x04]);
  assert.equal(Buffer.from(decodeSnappyBlock(copy, 8)).toString(), 'abcdabcd');
  fails(() => decodeSnappyBlock(hello, 4), 'snappy block decompresses to 5 bytes, more than the limit of 4');
  // a bomb: claims 4 GiB − 1 in five bytes
  fails(
    () => decodeSnappyBlock(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]), 64 << 20),
    'snappy block decompresses to 4294967295 bytes, more than the limit of 67108864',
  );
});

test('snappy: a malformed block body is a SnappyError', () => {
  fails(() => decodeSnappyBlock(Uint8Array.from([0x05, 0x10, 0x68]), 5), /^invalid snappy block: ./);
  fails(() => decodeSnappyBlock(Uint8Array.from([]), 5), 'truncated snappy block: no length preamble');
});
