import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeArtifact, encodeArtifact, requireSection } from './artifact.js';

const header = { format: 'looper-test/1', family: 'test', note: 'héllo' };

test('artifact - header and sections round-trip exactly, f32 and f64 alike', () => {
  const f32 = Float32Array.of(1.5, -2.25, Math.fround(0.1));
  const f64 = Float64Array.of(0.1, 1e300, -0);
  const decoded = decodeArtifact(
    encodeArtifact(header, [
      ['a', f32],
      ['b', f64],
      ['empty', new Float32Array(0)],
    ]),
  );
  assert.equal(decoded.header.format, 'looper-test/1');
  assert.equal(decoded.header.note, 'héllo');
  assert.deepEqual(decoded.sections.get('a'), f32);
  assert.deepEqual(decoded.sections.get('b'), f64);
  assert.deepEqual(decoded.sections.get('empty'), new Float32Array(0));
});

test('artifact - starts with the magic bytes and the container version, little-endian', () => {
  const bytes = encodeArtifact(header, []);
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x4c, 0x50, 0x52, 0x4d, 1, 0, 0, 0]);
  assert.equal(bytes.length % 8, 0);
});

test('artifact - reads from a view into a larger buffer (a Kafka message Buffer)', () => {
  const bytes = encodeArtifact(header, [['a', Float64Array.of(3)]]);
  const padded = new Uint8Array(bytes.length + 13);
  padded.set(bytes, 5);
  assert.deepEqual(decodeArtifact(padded.subarray(5, 5 + bytes.length)).sections.get('a'), Float64Array.of(3));
});

test('artifact - refuses what is not an artifact, a newer container and a truncated one', () => {
  assert.throws(() => decodeArtifact(new TextEncoder().encode('{"json":"not an artifact"}')), {
    name: 'ArtifactError',
    message: 'model artifact: not a Looper model artifact (bad magic bytes)',
  });
  const bytes = encodeArtifact(header, [['a', new Float32Array(100)]]);
  const newer = bytes.slice();
  newer[4] = 2;
  assert.throws(() => decodeArtifact(newer), {
    name: 'ArtifactError',
    message: 'model artifact: container version 2 is not supported (this reader knows 1): upgrade Looper',
  });
  assert.throws(() => decodeArtifact(bytes.subarray(0, bytes.length - 8)), {
    name: 'ArtifactError',
    message: 'model artifact: truncated section "a"',
  });
});

test('artifact - requireSection names a missing or misshapen section', () => {
  const decoded = decodeArtifact(encodeArtifact(header, [['a', new Float32Array(2)]]));
  assert.throws(() => requireSection(decoded, 'b', Float32Array, 2), {
    name: 'ArtifactError',
    message: 'model artifact: section "b" is missing',
  });
  assert.throws(() => requireSection(decoded, 'a', Float64Array, 2), {
    name: 'ArtifactError',
    message: 'model artifact: section "a" has the wrong dtype',
  });
  assert.throws(() => requireSection(decoded, 'a', Float32Array, 3), {
    name: 'ArtifactError',
    message: 'model artifact: section "a" has 2 values, expected 3',
  });
});
