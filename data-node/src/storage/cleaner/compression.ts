import { promisify } from "node:util";
import zlib from "node:zlib";
import { compress as zstdCompress, decompress as zstdDecompress } from "@mongodb-js/zstd";
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from "lz4-napi";
import { compress as snappyCompress, uncompress as snappyUncompress } from "snappy";

// The record section codecs of a v2 batch (attributes bits 0-2), for the broker's own looks inside a
// batch: compaction and the key check of compacted topics. Batches pass through unopened otherwise.
// gzip comes with Node; Node 20 has no zstd, snappy or lz4, hence the three native (napi-rs, prebuilt)
// packages. Output must be a function of the input alone: replicas re-compress the same records with
// the same library versions and settings and must get the same bytes.
export const Codec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

export interface Decompressed {
  bytes: Buffer;
  // Snappy only: the input was in the xerial (snappy-java) framing Java producers write, rather than
  // the raw block librdkafka writes; re-compression keeps the producer's form.
  xerial?: boolean;
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
// Kafka's defaults: gzip Deflater.DEFAULT_COMPRESSION (6), zstd level 3, snappy-java 32 KiB blocks.
const GZIP_LEVEL = 6;
const ZSTD_LEVEL = 3;
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16;
const XERIAL_BLOCK = 32 * 1024;

export class CompressionError extends Error {}

export async function decompress(codec: number, data: Buffer): Promise<Decompressed> {
  try {
    switch (codec) {
      case Codec.NONE:
        return { bytes: data };
      case Codec.GZIP:
        return { bytes: await gunzip(data) };
      case Codec.SNAPPY:
        return isXerial(data)
          ? { bytes: await unXerial(data), xerial: true }
          : { bytes: await unsnappy(data) };
      case Codec.LZ4:
        return { bytes: await lz4Decompress(data) };
      case Codec.ZSTD:
        return { bytes: await zstdDecompress(data) };
    }
  } catch (err) {
    throw new CompressionError(`cannot decompress a batch with codec ${codec}: ${(err as Error).message}`);
  }
  throw new CompressionError(`unknown compression codec ${codec}`);
}

export async function compress(
  codec: number,
  data: Buffer,
  opts: { xerial?: boolean } = {},
): Promise<Buffer> {
  switch (codec) {
    case Codec.NONE:
      return data;
    case Codec.GZIP:
      return gzip(data, { level: GZIP_LEVEL });
    case Codec.SNAPPY:
      return opts.xerial ? xerial(data) : snappyCompress(data);
    case Codec.LZ4:
      return lz4Compress(data);
    case Codec.ZSTD:
      return zstdCompress(data, ZSTD_LEVEL);
  }
  throw new CompressionError(`unknown compression codec ${codec}`);
}

async function unsnappy(data: Buffer): Promise<Buffer> {
  const out = await snappyUncompress(data);
  return typeof out === "string" ? Buffer.from(out) : out;
}

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

// xerial framing: magic, version and compatible version (int32 each), then blocks of int32 length +
// raw snappy.
async function unXerial(data: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  let at = XERIAL_HEADER;
  while (at < data.length) {
    if (at + 4 > data.length) throw new CompressionError("truncated xerial snappy block length");
    const n = data.readInt32BE(at);
    at += 4;
    if (n < 0 || at + n > data.length) throw new CompressionError("truncated xerial snappy block");
    parts.push(await unsnappy(data.subarray(at, at + n)));
    at += n;
  }
  return Buffer.concat(parts);
}

async function xerial(data: Buffer): Promise<Buffer> {
  const header = Buffer.alloc(XERIAL_HEADER);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK) {
    const block = await snappyCompress(data.subarray(at, at + XERIAL_BLOCK));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}
