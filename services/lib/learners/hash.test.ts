import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv1a32 } from './hash.js';

function reference(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

test('hash - FNV-1a 32 matches the published test vectors', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
});

test('hash - hashes the UTF-8 bytes, as TextEncoder encodes them, for any code point', () => {
  for (const text of ['café', 'Ελλάδα', '日本', '🇫🇷 emoji 😀', 'lone \ud800 surrogate', 'end \udc00'])
    assert.equal(fnv1a32(text), reference(text), text);
});
