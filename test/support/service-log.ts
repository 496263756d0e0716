// Services' output in a test goes to <tmpdir>/looper-<name>.log, each line stamped with the time it
// arrived: a slow or flaky run is read from these files, and without times a phase cannot be timed.
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServiceLogFile {
  readonly path: string;
  write(line: string): void;
  end(): void;
}

export function serviceLogFile(name: string): ServiceLogFile {
  const path = join(tmpdir(), `looper-${name}.log`);
  const stream = createWriteStream(path);
  return {
    path,
    write: (line) => void stream.write(`${new Date().toISOString()} ${line}\n`),
    end: () => void stream.end(),
  };
}
