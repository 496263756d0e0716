// The blueprint package: YAML or parsed data in, the compiled Blueprint (schemas/Blueprint) out.
export { compileBlueprint } from './compile.js';
export { parseBlueprintYaml } from './parse.js';
export { formatProblems } from './format.js';
export { BlueprintInvalidError } from './errors.js';
export { DOCUMENT_PATH, type BlueprintProblem, type CompileResult } from './problem.js';
export { parseDuration, parseDurationUs, parseShare, parseSize, type Parsed } from './units.js';
