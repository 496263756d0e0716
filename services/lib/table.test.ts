import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { table } from './table.js';

describe('text table', () => {
  it('text table - pads each column to its widest cell, rules the header and trims trailing spaces', () => {
    assert.equal(
      table(
        ['name', 'state'],
        [
          ['kafka', 'healthy'],
          ['nats', ''],
        ],
      ),
      ['name   state', '-----  -------', 'kafka  healthy', 'nats'].join('\n'),
    );
  });
});
