// The binary container every model artifact uses: a JSON header that says what the model is, then
// typed numeric sections (weights, statistics), all little-endian:
//
//   offset 0   4 bytes  ASCII "LPRM"
//          4   u16      container version (1)
//          6   u16      reserved (0)
//          8   u32      header length H in bytes
//         12   H bytes  header, UTF-8 JSON; its `format` names the reader (e.g. "looper-dense/1"),
//                       its `sections` list the sections below in order: { name, dtype, length }
//     12 + H   padding to a multiple of 8, then each section (f32: 4 bytes, f64: 8 bytes per value),
//              each padded to a multiple of 8.
//
// The container knows nothing of model families: a new family defines its header and sections.

import { ArtifactError } from './errors.js';
import { featureSchema, type FeatureSchema, type InputFeature } from './feature-schema.js';
import type { LearnerTask } from './contract.js';

const MAGIC = [0x4c, 0x50, 0x52, 0x4d]; // "LPRM"
const CONTAINER_VERSION = 1;
const PREFIX_BYTES = 12;

export type SectionData = Float32Array | Float64Array;

export interface SectionEntry {
  readonly name: string;
  readonly dtype: 'f32' | 'f64';
  readonly length: number;
}

/** The fields every artifact header has; formats add their own. */
export interface ArtifactHeader {
  /** Which reader understands the rest, with its version, e.g. "looper-dense/1". */
  readonly format: string;
  /** Model family: logistic, linear, mlp, ... */
  readonly family: string;
  readonly sections?: readonly SectionEntry[];
  readonly [key: string]: unknown;
}

export interface DecodedArtifact<H extends ArtifactHeader = ArtifactHeader> {
  readonly header: H;
  readonly sections: ReadonlyMap<string, SectionData>;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeArtifact(
  header: ArtifactHeader,
  sections: ReadonlyArray<readonly [string, SectionData]>,
): Uint8Array {
  const entries: SectionEntry[] = sections.map(([name, data]) => ({
    name,
    dtype: data instanceof Float64Array ? 'f64' : 'f32',
    length: data.length,
  }));
  const headerBytes = new TextEncoder().encode(JSON.stringify({ ...header, sections: entries }));
  let size = align8(PREFIX_BYTES + headerBytes.length);
  for (const [, data] of sections) size += align8(data.byteLength);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint16(4, CONTAINER_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, PREFIX_BYTES);
  let at = align8(PREFIX_BYTES + headerBytes.length);
  for (const [, data] of sections) {
    if (data instanceof Float64Array)
      for (let i = 0; i < data.length; i++) view.setFloat64(at + i * 8, data[i] as number, true);
    else for (let i = 0; i < data.length; i++) view.setFloat32(at + i * 4, data[i] as number, true);
    at += align8(data.byteLength);
  }
  return bytes;
}

export function decodeArtifact(bytes: Uint8Array): DecodedArtifact {
  if (bytes.length < PREFIX_BYTES || MAGIC.some((b, i) => bytes[i] !== b))
    throw new ArtifactError('not a Looper model artifact (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== CONTAINER_VERSION)
    throw new ArtifactError(
      `container version ${version} is not supported (this reader knows ${CONTAINER_VERSION}): upgrade Looper`,
    );
  const headerLength = view.getUint32(8, true);
  if (PREFIX_BYTES + headerLength > bytes.length) throw new ArtifactError('truncated header');
  let header: ArtifactHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)),
    ) as ArtifactHeader;
  } catch (cause) {
    throw new ArtifactError('the header is not valid UTF-8 JSON', { cause });
  }
  if (
    typeof header !== 'object' ||
    header === null ||
    typeof header.format !== 'string' ||
    typeof header.family !== 'string' ||
    !Array.isArray(header.sections)
  ) {
    throw new ArtifactError('the header lacks format, family or sections');
  }
  const sections = new Map<string, SectionData>();
  let at = align8(PREFIX_BYTES + headerLength);
  for (const entry of header.sections) {
    const width = entry.dtype === 'f64' ? 8 : entry.dtype === 'f32' ? 4 : 0;
    if (width === 0 || !Number.isInteger(entry.length) || entry.length < 0)
      throw new ArtifactError(`section "${entry.name}" has an invalid dtype or length`);
    if (at + entry.length * width > bytes.length) throw new ArtifactError(`truncated section "${entry.name}"`);
    const data = width === 8 ? new Float64Array(entry.length) : new Float32Array(entry.length);
    if (width === 8) for (let i = 0; i < entry.length; i++) data[i] = view.getFloat64(at + i * 8, true);
    else for (let i = 0; i < entry.length; i++) data[i] = view.getFloat32(at + i * 4, true);
    sections.set(entry.name, data);
    at += align8(entry.length * width);
  }
  return { header, sections };
}

/** The section `name` with the expected dtype and length, or an ArtifactError saying what is wrong. */
export function requireSection<T extends SectionData>(
  artifact: DecodedArtifact,
  name: string,
  type: { new (n: number): T },
  length: number,
): T {
  const data = artifact.sections.get(name);
  if (data === undefined) throw new ArtifactError(`section "${name}" is missing`);
  if (!(data instanceof type)) throw new ArtifactError(`section "${name}" has the wrong dtype`);
  if (data.length !== length)
    throw new ArtifactError(`section "${name}" has ${data.length} values, expected ${length}`);
  return data;
}

/** The fields every model header stores about its inputs, checked; `what` names the format in messages. */
export function readStoredInputs(
  header: Partial<ArtifactHeader> & Record<string, unknown>,
  what: string,
): { task: LearnerTask; schema: FeatureSchema; hashBuckets: number } {
  const task = header['task'];
  if (task !== 'classification' && task !== 'estimation') throw new ArtifactError(`unknown task "${String(task)}"`);
  const features = header['features'];
  const hashBuckets = header['hashBuckets'];
  if (
    !Array.isArray(features) ||
    typeof hashBuckets !== 'number' ||
    !Number.isInteger(hashBuckets) ||
    hashBuckets < 1
  ) {
    throw new ArtifactError(`the ${what} header lacks features or hashBuckets`);
  }
  try {
    return { task, schema: featureSchema(features as InputFeature[]), hashBuckets };
  } catch (cause) {
    throw new ArtifactError('the stored features are invalid', { cause });
  }
}
