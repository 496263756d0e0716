// Where the local stack keeps its things: everything under LOOPER_DATA_DIR, never in the repository.
import { join } from 'node:path';

export interface StackPaths {
  root: string;
  /** Maven local repositories, one folder per component so download progress is per component. */
  mavenRepo: string;
  downloads: string;
  run: string;
}

export function stackPaths(dataDir: string): StackPaths {
  return {
    root: dataDir,
    mavenRepo: join(dataDir, 'downloads', 'maven'),
    downloads: join(dataDir, 'downloads'),
    run: join(dataDir, 'stack'),
  };
}

export function componentDir(paths: StackPaths, component: string): string {
  return join(paths.run, component);
}
