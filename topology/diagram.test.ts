import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderMermaid } from './diagram.js';
import { allTopics, type TopicSpec } from './topics.js';
import { docBlocks } from '../scripts/doc-blocks.js';

describe('topology diagram', () => {
  it('topology diagram - draws producers into topics and topics into consumers', () => {
    const spec: TopicSpec = {
      name: 'looper.x',
      description: '',
      partitions: 1,
      cleanupPolicy: 'compact',
      retentionMs: -1,
      key: 'k',
      valueSchema: null,
      producers: ['joiner'],
      consumers: ['trainer'],
    };
    assert.equal(
      renderMermaid([spec]),
      [
        'flowchart LR',
        '  joiner([joiner])',
        '  trainer([trainer])',
        '  t_looper_x[(looper.x · compacted)]',
        '  joiner --> t_looper_x',
        '  t_looper_x --> trainer',
      ].join('\n'),
    );
  });

  it('topology diagram - the README shows the diagram of the current declaration', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes('```mermaid\n' + renderMermaid(allTopics) + '\n```'),
      'README.md is stale: run npm run docs',
    );
  });

  it('docs - every generated block matches the code it comes from, in the file that shows it', () => {
    for (const block of docBlocks()) {
      const text = readFileSync(new URL(`../${block.file}`, import.meta.url), 'utf8');
      assert.ok(
        text.includes(block.begin + '\n' + block.body + block.end),
        `${block.file} block ${block.begin} is stale: run npm run docs`,
      );
    }
  });
});
