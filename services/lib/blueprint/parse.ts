// YAML text → compiled blueprint. YAML syntax errors are reported as problems at `line L, col C`;
// everything after parsing is reported by key path. The YAML is only read as data (the `yaml`
// package's core schema): no tags are executed and nothing in it is evaluated.
import { LineCounter, parseDocument } from 'yaml';
import { compileBlueprint } from './compile.js';
import { DOCUMENT_PATH, type BlueprintProblem, type CompileResult } from './problem.js';

/** What to do about each kind of YAML syntax error (codes from the `yaml` package). */
const YAML_FIXES: Record<string, string> = {
  DUPLICATE_KEY: 'keep one of the keys with the same name',
  BAD_INDENT: 'close every [ and { before the next key, and indent nested lines more than their key',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTIPLE_DOCS: 'keep one blueprint per file: remove the --- separator',
  MISSING_CHAR: 'close the bracket, brace or quote opened before',
  BLOCK_AS_IMPLICIT_KEY: 'line up the keys of one mapping; a value with a colon inside needs quotes',
  MULTILINE_IMPLICIT_KEY: 'put each key and its colon on one line, lined up with the keys around it',
  UNEXPECTED_TOKEN: 'check the punctuation on this line',
};
const DEFAULT_YAML_FIX = 'check the YAML syntax here: key: value pairs, lists as [a, b] or "- item" lines';

/** Parses and compiles a blueprint written in YAML; `sourceYaml` keeps the text as authored. */
export function parseBlueprintYaml(text: string): CompileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems: BlueprintProblem[] = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return {
        path: `line ${line}, col ${col}`,
        message: error.message,
        fix: YAML_FIXES[error.code] ?? DEFAULT_YAML_FIX,
      };
    });
    return { ok: false, problems };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problems: [
        { path: DOCUMENT_PATH, message, fix: 'write the blueprint without YAML anchors and aliases (& and *)' },
      ],
    };
  }
  return compileBlueprint(raw, text);
}
