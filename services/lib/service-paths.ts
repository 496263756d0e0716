// Where a service instance keeps its local state: LOOPER_DATA_DIR/services/<name>-<instance>.
import { join } from 'node:path';

export function serviceStateDir(dataDir: string, service: string, instance: string): string {
  return join(dataDir, 'services', `${service}-${instance}`);
}
