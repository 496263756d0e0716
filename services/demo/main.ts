// `looper up --demo` runs this: the simulated product against the running services.
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { demoDefaults, formatBoard, startDemo } from './driver.js';
import { stopOnSignals } from './signals.js';

const config = compileConfig(process.env, homedir());
const log = (line: string) => console.log(`[demo] ${line}`);
const run = await startDemo(config, demoDefaults, { log });
log(
  `simulating ${demoDefaults.users} users: ${demoDefaults.decidesPerSecond} decisions/s, outcomes ${demoDefaults.speed}× faster than real time`,
);
const report = setInterval(() => log(formatBoard(run.board(), `${run.decisions()} decisions so far`)), 5000);
stopOnSignals(async () => {
  clearInterval(report);
  await run.stop();
}, log);
