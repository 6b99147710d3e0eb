import { CkptError } from "@ckpt/core";
import { CHECKSUM_NONE, CHECKSUM_SHA256, HEADER_SIZE, INDEX_ENTRY_SIZE, MAGIC, VERSION } from "./layout.js";

/** The 256-byte header: the first 100 bytes are fields, the rest zero. */
export interface Header {
  major: number;
  minor: number;
  patch: number;
  flags: number;
  timestamp: bigint;
  metadataOffset: number;
  metadataLength: number;
  regionIndexOffset: number;
  regionIndexLength: number;
  connectivityOffset: number;
  connectivityLength: number;
  totalNeurons: bigint;
  totalSynapses: bigint;
  trainingSteps: bigint;
  numRegions: number;
  checksumType: number;
}

/**
 * Parses and checks the header against the size of the body it describes (the file
 * without its trailer, or the decompressed body), so no later read trusts a wild offset.
 */
export function parseHeader(bytes: Uint8Array, bodySize: number, file: string): Header {
  if (bytes.byteLength < HEADER_SIZE) throw new CkptError("CORRUPT", `file is too short for a Thalia header (${bytes.byteLength} of ${HEADER_SIZE} bytes)`, { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const magic = Buffer.from(bytes.subarray(0, 4)).toString("latin1");
  if (magic !== MAGIC) throw new CkptError("CORRUPT", `not a Thalia container (magic ${JSON.stringify(magic)}, expected "THAL")`, { file });
  const u64 = (at: number) => view.getBigUint64(at, true);
  const offset = (at: number, field: string): number => {
    const value = u64(at);
    if (value > BigInt(bodySize)) throw new CkptError("CORRUPT", `header field ${field} = ${value} lies past the end of the body (${bodySize} bytes)`, { file });
    return Number(value);
  };
  const header: Header = {
    major: view.getUint16(4, true),
    minor: view.getUint16(6, true),
    patch: view.getUint16(8, true),
    flags: view.getUint16(10, true),
    timestamp: u64(12),
    metadataOffset: offset(20, "metadata_offset"),
    metadataLength: offset(28, "metadata_length"),
    regionIndexOffset: offset(36, "region_index_offset"),
    regionIndexLength: offset(44, "region_index_length"),
    connectivityOffset: Number(u64(52) > BigInt(bodySize) ? 0n : u64(52)),
    connectivityLength: Number(u64(60) > BigInt(bodySize) ? 0n : u64(60)),
    totalNeurons: u64(68),
    totalSynapses: u64(76),
    trainingSteps: u64(84),
    numRegions: view.getUint32(92, true),
    checksumType: view.getUint32(96, true),
  };
  if (header.major > VERSION.major) {
    throw new CkptError("UNSUPPORTED", `Thalia container version ${header.major}.${header.minor}.${header.patch} is newer than the supported ${VERSION.major}.${VERSION.minor}.${VERSION.patch}`, { file });
  }
  if (header.checksumType !== CHECKSUM_NONE && header.checksumType !== CHECKSUM_SHA256) {
    throw new CkptError("CORRUPT", `unknown checksum type ${header.checksumType} (expected 0 or 1)`, { file });
  }
  if (header.numRegions === 0) throw new CkptError("CORRUPT", "header says the file holds no regions", { file });
  if (header.regionIndexLength !== header.numRegions * INDEX_ENTRY_SIZE) {
    throw new CkptError("CORRUPT", `region index length ${header.regionIndexLength} does not match ${header.numRegions} entries of ${INDEX_ENTRY_SIZE} bytes`, { file });
  }
  if (header.metadataOffset < HEADER_SIZE) throw new CkptError("CORRUPT", `header field metadata_offset = ${header.metadataOffset} points inside the ${HEADER_SIZE}-byte header`, { file });
  if (header.metadataOffset + header.metadataLength > bodySize) throw new CkptError("CORRUPT", `metadata (${header.metadataOffset}+${header.metadataLength}) lies past the end of the body (${bodySize} bytes)`, { file });
  if (header.regionIndexOffset + header.regionIndexLength > bodySize) {
    throw new CkptError("CORRUPT", `region index (${header.regionIndexOffset}+${header.regionIndexLength}) lies past the end of the body (${bodySize} bytes): the file is truncated or its contents shifted`, { file });
  }
  return header;
}

export function serializeHeader(header: Header): Uint8Array {
  const bytes = new Uint8Array(HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  bytes.set(Buffer.from(MAGIC, "latin1"), 0);
  view.setUint16(4, header.major, true);
  view.setUint16(6, header.minor, true);
  view.setUint16(8, header.patch, true);
  view.setUint16(10, header.flags, true);
  view.setBigUint64(12, header.timestamp, true);
  view.setBigUint64(20, BigInt(header.metadataOffset), true);
  view.setBigUint64(28, BigInt(header.metadataLength), true);
  view.setBigUint64(36, BigInt(header.regionIndexOffset), true);
  view.setBigUint64(44, BigInt(header.regionIndexLength), true);
  view.setBigUint64(52, BigInt(header.connectivityOffset), true);
  view.setBigUint64(60, BigInt(header.connectivityLength), true);
  view.setBigUint64(68, header.totalNeurons, true);
  view.setBigUint64(76, header.totalSynapses, true);
  view.setBigUint64(84, header.trainingSteps, true);
  view.setUint32(92, header.numRegions, true);
  view.setUint32(96, header.checksumType, true);
  return bytes;
}
