// The tasks beyond binary classification — ranking, sequence prediction, planning, multi-class
// classification — end to end on the real stack, each with its own known-answer simulator, on one
// set of services (features, predictor, joiner, trainer) started once for all.
import { after, before } from 'node:test';
import { ensureStack } from '../support/stack.js';
import { startSharedServices, type SharedServices } from '../support/services.js';
import { rankingSuite } from './tasks/ranking.js';
import { sequenceSuite } from './tasks/sequence.js';
import { planningSuite } from './tasks/planning.js';
import { multiclassSuite } from './tasks/multiclass.js';

let services: SharedServices | undefined;

before(async () => {
  await ensureStack();
  services = startSharedServices(['features', 'predictor', 'joiner', 'trainer'], 'tasks');
});

after(async () => {
  await services?.stop();
});

const shared = (): SharedServices => {
  if (!services) throw new Error('the shared services have not started');
  return services;
};

rankingSuite(shared);
sequenceSuite(shared);
planningSuite(shared);
multiclassSuite(shared);
