// The demo process as `looper up --demo` runs it (services/demo/main.ts), on a blueprint named by
// the first argument, for the test of how it stops: it prints each 100th decision the predictor
// answered, and stops on signals through the same stopOnSignals.
import { demoDefaults, startDemo } from '../../services/demo/driver.js';
import { stopOnSignals } from '../../services/demo/signals.js';
import { testConfig } from './stack.js';

const blueprint = process.argv[2]!;
const log = (line: string) => console.log(`[demo] ${line}`);
let answered = 0;
const run = await startDemo(
  testConfig,
  { ...demoDefaults, blueprint },
  {
    log,
    onDecision: (d) => {
      if (d.decisionId !== null && ++answered % 100 === 0) log(`answered ${answered}`);
    },
  },
);
log('started');
stopOnSignals(() => run.stop(), log);
