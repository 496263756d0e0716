// What the docs tests read from a Markdown file: its fenced blocks, its headings (as GitHub's anchors)
// and its links. Pure: takes the text, returns values; the tests read the files.
import { readdirSync } from 'node:fs';

/** README.md and every page of docs/, from the repository's root. */
export function docFiles(root: URL): string[] {
  const pages = readdirSync(new URL('docs/', root))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...pages];
}

export interface Fence {
  /** The info string's first word (`ts`, `yaml`, `sh`), '' when there is none. */
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The block's text, with the fence's own indentation removed. */
  body: string;
}

export interface Prose {
  /** 1-based line. */
  line: number;
  text: string;
}

/** Splits a Markdown text into fenced blocks and the prose lines outside them (`unclosed`: the line of a fence never closed). */
export function parseMarkdown(text: string): { fences: Fence[]; prose: Prose[]; unclosed?: number } {
  const fences: Fence[] = [];
  const prose: Prose[] = [];
  let open: { lang: string; line: number; indent: number; marker: string; body: string[] } | undefined;
  text.split('\n').forEach((line, index) => {
    if (open === undefined) {
      const fence = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
      if (fence) open = { lang: fence[3]!, line: index + 1, indent: fence[1]!.length, marker: fence[2]!, body: [] };
      else prose.push({ line: index + 1, text: line });
    } else if (line.trim().startsWith(open.marker) && line.trim().replace(/[`~]/g, '') === '') {
      fences.push({ lang: open.lang, line: open.line, body: open.body.join('\n') });
      open = undefined;
    } else {
      const indent = Math.min(open.indent, line.length - line.trimStart().length);
      open.body.push(line.slice(indent));
    }
  });
  return open === undefined ? { fences, prose } : { fences, prose, unclosed: open.line };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a file's headings, numbered as GitHub numbers repeats (`name`, `name-1`, …). */
export function anchors(prose: readonly Prose[]): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const { text } of prose) {
    const heading = /^#{1,6} (.*)$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

export interface Link {
  line: number;
  target: string;
}

/** The prose as paragraphs (a code span or a link may break across lines, never across paragraphs). */
function paragraphs(prose: readonly Prose[]): Prose[] {
  const found: Prose[] = [];
  let current: Prose | undefined;
  prose.forEach((p, i) => {
    const follows = current !== undefined && prose[i - 1]?.line === p.line - 1;
    if (p.text.trim() === '' || /^#{1,6} /.test(p.text) || !follows) current = undefined;
    if (p.text.trim() === '') return;
    if (current === undefined) found.push((current = { line: p.line, text: p.text }));
    else current.text += '\n' + p.text;
  });
  return found;
}

/** The 1-based line of a position within a paragraph. */
const lineAt = (p: Prose, index: number): number => p.line + (p.text.slice(0, index).match(/\n/g)?.length ?? 0);

/** The inline links `[text](target)` of the prose, leaving out those inside `code spans`. */
export function links(prose: readonly Prose[]): Link[] {
  return paragraphs(prose).flatMap((p) => {
    const outsideCode = p.text.replace(/`[^`]*`/g, (span) => span.replace(/[^\n]/g, ' '));
    return [...outsideCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({
      line: lineAt(p, m.index),
      target: m[1]!,
    }));
  });
}

/** The `code spans` of the prose, line breaks read as spaces and `\|` (a pipe escaped in a table) as `|`. */
export function codeSpans(prose: readonly Prose[]): Array<{ line: number; text: string }> {
  return paragraphs(prose).flatMap((p) =>
    [...p.text.matchAll(/`([^`]+)`/g)].map((m) => ({
      line: lineAt(p, m.index),
      text: m[1]!.replace(/\s*\n\s*/g, ' ').replace(/\\\|/g, '|'),
    })),
  );
}
