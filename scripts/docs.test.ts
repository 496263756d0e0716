// The README is a front door and docs/ holds the rest: the README stays small, every relative link of
// README.md and docs/*.md reaches a file (and a heading, when it names one), and the README's index
// lists every page of docs/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { anchors, docFiles, links, parseMarkdown } from './markdown.js';

const root = new URL('../', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');
/** The bound: a README of about 10 KB, never over 12 (kB, 12,000 bytes). */
const README_MAX_BYTES = 12_000;

const files = docFiles(root);
const parsed = new Map(files.map((file) => [file, parseMarkdown(read(file))]));

/** The anchors of a Markdown file, read once. */
const anchorsOf = (() => {
  const cache = new Map<string, Set<string>>();
  return (file: string): Set<string> => {
    let found = cache.get(file);
    if (found === undefined) cache.set(file, (found = anchors(parseMarkdown(read(file)).prose)));
    return found;
  };
})();

describe('docs', () => {
  it('docs - README.md is at most 12 kB', () => {
    const bytes = statSync(new URL('README.md', root)).size;
    assert.ok(
      bytes <= README_MAX_BYTES,
      `README.md is ${bytes} bytes, over ${README_MAX_BYTES}: move the detail to the page of docs/ it belongs to`,
    );
  });

  it('docs - every fence of README.md and docs/*.md is closed', () => {
    for (const [file, { unclosed }] of parsed)
      assert.equal(unclosed, undefined, `${file}: the fence opened at line ${unclosed} is never closed`);
  });

  it('docs - every relative link of README.md and docs/*.md points to a file that exists', () => {
    const broken: string[] = [];
    for (const [file, { prose }] of parsed)
      for (const { line, target } of links(prose)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = normalize(join(dirname(file), decodeURI(target.split('#')[0]!)));
        if (path.startsWith('..') || !existsSync(new URL(path, root))) broken.push(`${file}:${line} → ${target}`);
      }
    assert.deepEqual(broken, [], `links to missing files:\n${broken.join('\n')}`);
  });

  it('docs - every link to a heading of a Markdown file names a heading it has', () => {
    const broken: string[] = [];
    for (const [file, { prose }] of parsed)
      for (const { line, target } of links(prose)) {
        const [path, anchor] = target.split('#');
        if (anchor === undefined || /^[a-z]+:/i.test(target)) continue;
        const into = path === '' ? file : normalize(join(dirname(file), decodeURI(path!)));
        if (!into.endsWith('.md') || !existsSync(new URL(into, root))) continue;
        if (!anchorsOf(into).has(anchor)) broken.push(`${file}:${line} → ${target} (no such heading in ${into})`);
      }
    assert.deepEqual(broken, [], `links to missing headings:\n${broken.join('\n')}`);
  });

  it("docs - the README's index links every page of docs/", () => {
    const linked = new Set(links(parsed.get('README.md')!.prose).map((l) => l.target.split('#')[0]));
    const missing = files.filter((f) => f.startsWith('docs/') && !linked.has(f));
    assert.deepEqual(missing, [], `pages of docs/ the README does not link: ${missing.join(', ')}`);
  });
});
