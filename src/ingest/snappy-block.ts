/**
 * Snappy block decompression (the format remote-write uses, not the framed stream) with the decompressed size
 * bounded before any memory is taken: the block opens with its decompressed length as a varint, which is read and
 * checked first, so a small body that claims gigabytes (a snappy bomb) costs nothing.
 * @module
 */
import snappy from 'snappyjs';

export class SnappyError extends Error {
  override readonly name = 'SnappyError';
}

/** The decompressed length a block announces (snappy format_description.txt: a little-endian base-128 varint). */
export function snappyDecodedLength(block: Uint8Array): number {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new SnappyError('truncated snappy block: no length preamble');
    const byte = block[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return length;
  }
  throw new SnappyError('invalid snappy length preamble');
}

/** Decompresses `block`; throws SnappyError when it is malformed or would exceed `maxBytes`. */
export function decodeSnappyBlock(block: Uint8Array, maxBytes: number): Uint8Array {
  const length = snappyDecodedLength(block);
  if (length > maxBytes)
    throw new SnappyError(`snappy block decompresses to ${length} bytes, more than the limit of ${maxBytes}`);
  try {
    return snappy.uncompress(block, maxBytes);
  } catch (error) {
    throw new SnappyError(`invalid snappy block: ${(error as Error).message}`);
  }
}
