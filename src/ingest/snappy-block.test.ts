// Expected values from snappy's format_description.txt: a block starts with the decompressed length as a
// little-endian varint of at most five bytes (2097150 is `FE FF 7F`), then elements; a literal of n ≤ 60 bytes
// is the tag byte `(n − 1) << 2` followed by the bytes, and a 1-byte-offset copy is
// `(len − 4) << 2 | offset >> 8 << 5 | 1` followed by the offset's low byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import snappy from 'snappyjs';
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

const block = (...bytes: (number | string)[]) =>
  Uint8Array.from(bytes.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part)] : [part])));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

test('snappy: literal lengths of one to four extra bytes', () => {
  // tag 60 << 2: length − 1 in one byte; 61: two bytes; 62: three; 63: four (all little-endian).
  assert.equal(text(decodeSnappyBlock(block(3, 60 << 2, 2, 'abc'), 3)), 'abc');
  assert.equal(text(decodeSnappyBlock(block(3, 61 << 2, 2, 0, 'abc'), 3)), 'abc');
  assert.equal(text(decodeSnappyBlock(block(3, 62 << 2, 2, 0, 0, 'abc'), 3)), 'abc');
  assert.equal(text(decodeSnappyBlock(block(3, 63 << 2, 2, 0, 0, 0, 'abc'), 3)), 'abc');
  const long = 'x'.repeat(300);
  assert.equal(text(decodeSnappyBlock(block(0xac, 0x02, 61 << 2, 0x2b, 0x01, long), 300)), long);
});

test('snappy: copies with one-, two- and four-byte offsets, overlapping ones repeating the last bytes', () => {
  // 1-byte offset: (len − 4) << 2 | offset >> 8 << 5 | 1, then the offset's low byte.
  assert.equal(text(decodeSnappyBlock(block(8, 3 << 2, 'abcd', 0x01, 4), 8)), 'abcdabcd');
  // 2-byte offset: (len − 1) << 2 | 2, then the offset as two little-endian bytes.
  assert.equal(text(decodeSnappyBlock(block(6, 1 << 2, 'ab', ((4 - 1) << 2) | 2, 2, 0), 6)), 'ababab');
  // 4-byte offset: (len − 1) << 2 | 3, then four bytes.
  assert.equal(text(decodeSnappyBlock(block(5, 2 << 2, 'abc', ((2 - 1) << 2) | 3, 3, 0, 0, 0), 5)), 'abcab');
  // offset 1, length 5: one byte repeated.
  assert.equal(text(decodeSnappyBlock(block(6, 0, 'a', ((5 - 1) << 2) | 2, 1, 0), 6)), 'aaaaaa');
  // a 1-byte-offset copy reaching back 256 + 4 bytes through the tag's high offset bits
  const start = 'y'.repeat(260);
  const copied = decodeSnappyBlock(block(0x88, 0x02, 61 << 2, 0x03, 0x01, start, (0 << 2) | (1 << 5) | 1, 4), 264);
  assert.equal(text(copied), `${start}yyyy`);
});

test('snappy: a malformed block body is a SnappyError that says what is wrong', () => {
  fails(() => decodeSnappyBlock(block(5, 0x10, 'h'), 5), /^invalid snappy block: literal of 5 bytes runs past the end/);
  fails(() => decodeSnappyBlock(block(), 5), 'truncated snappy block: no length preamble');
  fails(() => decodeSnappyBlock(block(3, 61 << 2, 2), 3), /^invalid snappy block: literal length cut short/);
  fails(() => decodeSnappyBlock(block(2, 4 << 2, 'abcde'), 2), /literal of 5 bytes overruns the announced 2 bytes/);
  fails(() => decodeSnappyBlock(block(8, 3 << 2, 'abcd', 0x01, 0), 8), /copy from offset 0 at output byte 4/);
  fails(() => decodeSnappyBlock(block(8, 3 << 2, 'abcd', 0x01, 5), 8), /copy from offset 5 at output byte 4/);
  fails(() => decodeSnappyBlock(block(8, 3 << 2, 'abcd', 0x01), 8), /copy cut short at byte 6/);
  fails(() => decodeSnappyBlock(block(8, 3 << 2, 'abcd', 0x02, 4), 8), /copy cut short at byte 6/);
  fails(() => decodeSnappyBlock(block(8, 3 << 2, 'abcd', 0x03, 4, 0, 0), 8), /copy cut short at byte 6/);
  fails(() => decodeSnappyBlock(block(7, 3 << 2, 'abcd', 0x01, 4), 7), /copy of 4 bytes overruns the announced 7/);
  fails(() => decodeSnappyBlock(block(9, 3 << 2, 'abcd', 0x01, 4), 9), /8 bytes decoded, 9 announced/);
});

test('snappy: a four-byte literal length with its top bit set is an error at once, not a walk backwards', () => {
  // Found by the push fuzzing: snappyjs reads this length as negative and spins for minutes.
  fails(() => decodeSnappyBlock(Buffer.from('02fc3cc0fcbf', 'hex'), 1 << 20), /literal of 3221012541 bytes runs past/);
  fails(() => decodeSnappyBlock(Buffer.from('02fcffffffff', 'hex'), 1 << 20), /literal of 4294967296 bytes runs past/);
});

test('snappy: whatever snappyjs compresses decodes back to the same bytes', () => {
  const repetitive = fc
    .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 40 })), {
      maxLength: 40,
    })
    .map((parts) =>
      Uint8Array.from(
        parts.flatMap(([bytes, times]) =>
          Array(times)
            .fill([...bytes])
            .flat(),
        ),
      ),
    );
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 70_000 }), repetitive), (input) => {
      const decoded = decodeSnappyBlock(snappy.compress(input), input.length);
      assert.deepEqual(Buffer.from(decoded), Buffer.from(input));
    }),
    { numRuns: 300 },
  );
});

test('snappy: any bytes decode to exactly the announced length or throw a SnappyError', () => {
  const valid = snappy.compress(Buffer.from('remote-write remote-write remote-write 0123456789'.repeat(4)));
  const damaged = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
      const copy = Uint8Array.from(valid);
      copy[at] = copy[at]! ^ xor;
      return copy;
    }),
    fc.nat({ max: valid.length }).map((cut) => valid.subarray(0, cut)),
  );
  fc.assert(
    fc.property(damaged, (bytes) => {
      try {
        const out = decodeSnappyBlock(bytes, 1 << 16);
        assert.equal(out.length, snappyDecodedLength(bytes));
      } catch (error) {
        assert.ok(error instanceof SnappyError, `${Buffer.from(bytes).toString('hex')}: ${error}`);
      }
    }),
    { numRuns: 20_000 },
  );
});
