// Sections that compare alternatives: traffic per model version, online quality per model
// (serving lineages and shadows), guardrails (side effects per arm and model version), the experiment's traffic split, and the
// AutoML leaderboard.

import { empty, fill, h, small, table } from './dom.js';
import {
  DASH,
  ago,
  bytes,
  count,
  higherIsBetter,
  isNum,
  metricLabel,
  micros,
  num,
  params,
  pct,
  signedPct,
} from './format.js';

/** The monitor's verdict: the always-valid one-sided lower bound of the difference is above 0. */
const isWorse = (g) => g.degraded === true;

/** The rate as a dot on its confidence interval, all groups of one guardrail on one scale. */
function intervalBar(g, top) {
  if (!isNum(g.rate) || !(top > 0)) return null;
  const at = (v) => `${Math.min(100, Math.max(0, (v / top) * 100))}%`;
  const low = isNum(g.low) ? g.low : g.rate;
  const high = isNum(g.high) ? g.high : g.rate;
  return h(
    'span',
    { class: 'ci', title: `95% interval ${pct(g.low)} – ${pct(g.high)}` },
    h('span', { class: 'ci-range', style: { left: at(low), width: `calc(${at(high)} - ${at(low)})` } }),
    h('span', { class: 'ci-dot', style: { left: at(g.rate) } }),
  );
}

function groupStatus(g) {
  if (g.baseline) return h('span', { class: 'badge neutral' }, 'baseline');
  if (isWorse(g)) return h('span', { class: 'badge bad' }, 'worse than baseline');
  if (!isNum(g.relative)) return h('span', { class: 'muted' }, DASH);
  return h('span', { class: 'muted' }, 'no clear difference');
}

function guardrailBlock(guardrail) {
  const groups = guardrail.groups ?? [];
  const top = Math.max(0, ...groups.map((g) => (isNum(g.high) ? g.high : isNum(g.rate) ? g.rate : 0))) * 1.1;
  return h(
    'div',
    { class: 'guardrail' },
    h(
      'h3',
      null,
      guardrail.name,
      ' ',
      h('span', { class: 'muted' }, `· events within ${guardrail.window ?? DASH} of a decision`),
    ),
    groups.length === 0
      ? empty('No decisions counted yet.')
      : table(
          [
            {
              title: 'Compared',
              cell: (g) => [
                h('span', { class: 'kind' }, g.kind === 'model' ? 'model' : 'arm'),
                ' ',
                h('code', null, g.group),
              ],
            },
            { title: 'Decisions', num: true, cell: (g) => count(g.decisions) },
            {
              title: 'Rate',
              num: true,
              cell: (g) => [
                pct(g.rate),
                ' ',
                h('small', { class: 'muted' }, isNum(g.low) ? `(${pct(g.low)}–${pct(g.high)})` : ''),
              ],
            },
            { title: '', cell: (g) => intervalBar(g, top) },
            {
              title: 'vs baseline',
              num: true,
              cell: (g) => [
                signedPct(g.relative),
                isNum(g.z) ? h('small', { class: 'muted' }, ` z ${num(g.z, 2)}`) : null,
              ],
            },
            { title: 'Status', cell: groupStatus },
          ],
          groups,
          (g) => ({
            class: isWorse(g) ? 'row-bad' : null,
            'data-guardrail-group': g.group,
            'data-flagged': isWorse(g) ? 'true' : null,
          }),
        ),
  );
}

/** Traffic, latency and fallbacks of each model version that answered among the recent decisions. */
export function renderVersions(el, bp) {
  const versions = bp.current?.versions ?? [];
  el.hidden = versions.length === 0;
  if (el.hidden) return;
  const ms = (v) => (isNum(v) ? `${num(v)} ms` : DASH);
  fill(
    el,
    h('h2', null, 'Traffic per model version ', small('current.versions')),
    table(
      [
        {
          title: 'Model version',
          cell: (v) =>
            v.modelVersion
              ? h('code', null, v.modelVersion)
              : h('span', { class: 'muted' }, 'none (the default decided)'),
        },
        { title: 'Recent decisions', num: true, cell: (v) => count(v.decisions) },
        { title: 'Requests / s', num: true, cell: (v) => num(v.requestRate) },
        { title: 'p50', num: true, cell: (v) => ms(v.decideP50Ms) },
        { title: 'p99', num: true, cell: (v) => ms(v.decideP99Ms) },
        { title: 'Fell back', num: true, cell: (v) => pct(v.fallbackRate) },
      ],
      versions,
      (v) => ({ 'data-model-version': v.modelVersion ?? 'none' }),
    ),
    h(
      'p',
      { class: 'note' },
      'Over the recent decisions (the last 1,000, at most 10 minutes old), the version that decided last first; requests per second over the last minute; p99 from 200 decisions of a version on.',
    ),
  );
}

/** Online quality of each model that scored recent labelled examples: the serving lineage(s) and the shadows beside them. */
export function renderModels(el, bp) {
  const models = bp.current?.models ?? [];
  el.hidden = models.length === 0;
  if (el.hidden) return;
  const metrics = [...new Set(models.flatMap((m) => Object.keys(m.quality ?? {})))];
  const main = bp.metric && metrics.includes(bp.metric) ? bp.metric : metrics[0];
  const order = higherIsBetter(main) ? -1 : 1;
  const sorted = [...models].sort((a, b) =>
    a.source === b.source
      ? order * ((a.quality?.[main] ?? -Infinity) - (b.quality?.[main] ?? -Infinity))
      : a.source === 'served'
        ? -1
        : 1,
  );
  fill(
    el,
    h('h2', null, 'Quality per model ', small('current.models')),
    table(
      [
        { title: 'Model', cell: (m) => h('code', null, m.model) },
        {
          title: 'Role',
          cell: (m) => (m.source === 'served' ? 'answers (with its continuations)' : 'shadow: scored, not used'),
        },
        { title: 'Labelled examples', num: true, cell: (m) => count(m.examples) },
        ...metrics.map((k) => ({
          title: metricLabel(k),
          num: true,
          cell: (m) => (isNum(m.quality?.[k]) ? num(m.quality[k], 4) : DASH),
        })),
      ],
      sorted,
      (m) => ({ 'data-model': m.model, 'data-source': m.source }),
    ),
    h(
      'p',
      { class: 'note' },
      'Each on the recent labelled examples it scored; a shadow is compared with the live model on the same requests by the rollout, which promotes it when it is clearly better. Quality shows from 200 examples on.',
    ),
  );
}

export function renderGuardrails(el, bp) {
  const guardrails = bp.guardrails ?? [];
  el.hidden = guardrails.length === 0;
  if (el.hidden) return;
  fill(
    el,
    h('h2', null, 'Guardrails ', small('guardrails')),
    h(
      'p',
      { class: 'note' },
      'Side effects per experiment arm and model version, with a 95% interval. ',
      '“Worse than baseline” means the 99.5% always-valid one-sided lower bound of the difference from the baseline ',
      'is above 0: it stays sound however often this page is looked at.',
    ),
    guardrails.map(guardrailBlock),
  );
}

export function renderExperiment(el, bp) {
  const exp = bp.experiment;
  el.hidden = !exp;
  if (!exp) return;
  const arms = exp.arms ?? [];
  const total = arms.reduce((sum, a) => sum + (isNum(a.decisions) ? a.decisions : 0), 0);
  const observed = (a) => (total > 0 && isNum(a.decisions) ? a.decisions / total : null);
  const split = (a) =>
    h(
      'span',
      { class: 'split', title: 'bar: observed · line: declared' },
      h('span', { class: 'split-bar', style: { width: `${(observed(a) ?? 0) * 100}%` } }),
      isNum(a.share) ? h('span', { class: 'split-mark', style: { left: `${a.share * 100}%` } }) : null,
    );
  fill(
    el,
    h('h2', null, `Experiment: ${exp.name}`, ' ', small('experiment')),
    arms.length === 0
      ? empty('No arms reported yet.')
      : table(
          [
            {
              title: 'Arm',
              cell: (a) => [
                h('code', null, a.arm),
                a.arm === bp.name ? h('span', { class: 'muted' }, ' (this blueprint)') : null,
              ],
            },
            { title: 'Declared share', num: true, cell: (a) => pct(a.share) },
            { title: 'Observed share', num: true, cell: (a) => pct(observed(a)) },
            { title: 'Decisions', num: true, cell: (a) => count(a.decisions) },
            {
              title: 'Outcome per decision',
              num: true,
              cell: (a) => [
                num(a.outcomePerDecision, 4),
                h(
                  'small',
                  { class: 'muted' },
                  isNum(a.examples) && a.examples > 0 ? ` (${count(a.examples)} labelled)` : '',
                ),
              ],
            },
            { title: '', cell: split },
          ],
          arms,
          (a) => ({ 'data-arm': a.arm }),
        ),
    arms.length === 0
      ? null
      : h(
          'p',
          { class: 'note' },
          "Observed shares should come close to the declared ones as decisions add up. Outcome per decision is the mean label of each arm's examples so far, as they arrive; looper experiment status compares the arms with intervals once their label windows have closed.",
        ),
  );
}

const LEADERBOARD_SIZE = 10;

/** Best first by the search metric; failed trials last. The chosen trial is always listed. */
function leaderboardRows(automl) {
  const sign = higherIsBetter(automl.metric) ? -1 : 1;
  const score = (t) => (t.error || !isNum(t.metric) ? Infinity : sign * t.metric);
  const sorted = [...(automl.leaderboard ?? [])].sort((a, b) => score(a) - score(b));
  const rows = sorted.slice(0, LEADERBOARD_SIZE);
  const chosen = sorted.find((t) => t.trial === automl.chosenTrial);
  if (chosen && !rows.includes(chosen)) rows.push(chosen);
  return rows;
}

function trialNotes(t) {
  if (t.error) return h('span', { class: 'bad-text' }, `failed: ${t.error}`);
  const violations = t.violations ?? [];
  if (violations.length > 0) return h('span', { class: 'warn-text' }, `breaks: ${violations.join(', ')}`);
  return null;
}

/** Fills the AutoML summary and leaderboard; returns false when the blueprint has no search yet. */
export function renderAutoml(summaryEl, tableEl, bp, now) {
  const automl = bp.automl;
  if (!automl) return false;
  const front = new Set(automl.front ?? []);
  const metric = metricLabel(automl.metric);
  fill(
    summaryEl,
    h(
      'p',
      null,
      automl.chosenTrial !== null && automl.chosenTrial !== undefined
        ? [h('strong', null, `Chose trial ${automl.chosenTrial}`), automl.why ? `: ${automl.why}.` : '.']
        : 'No trial chosen.',
      ' ',
      h(
        'span',
        { class: 'muted' },
        [
          automl.searchId ? `Search ${automl.searchId}` : 'Search',
          isNum(automl.at) ? `ran ${ago(automl.at, now)}` : null,
          `judged by ${metric} (${higherIsBetter(automl.metric) ? 'higher' : 'lower'} is better).`,
        ]
          .filter(Boolean)
          .join(', '),
      ),
    ),
  );
  const rows = leaderboardRows(automl);
  fill(
    tableEl,
    rows.length === 0
      ? empty('No trials reported.')
      : table(
          [
            {
              title: 'Trial',
              cell: (t) => [
                String(t.trial),
                front.has(t.trial)
                  ? h(
                      'span',
                      {
                        class: 'front',
                        title: 'on the Pareto front: no other trial is both better and faster/smaller',
                      },
                      ' ◆',
                    )
                  : null,
              ],
            },
            { title: 'Family', cell: (t) => t.family ?? DASH },
            { title: 'Settings', cell: (t) => h('small', null, params(t.params)) },
            { title: 'Stage', num: true, cell: (t) => (isNum(t.rung) ? `rung ${t.rung}` : DASH) },
            { title: 'Rows', num: true, cell: (t) => count(t.trainRows) },
            { title: metric, num: true, cell: (t) => h('strong', null, num(t.metric, 4)) },
            { title: 'Size', num: true, cell: (t) => bytes(t.sizeBytes) },
            { title: 'p99', num: true, cell: (t) => micros(t.p99Us) },
            { title: 'Took', num: true, cell: (t) => (isNum(t.seconds) ? `${num(t.seconds, 2)} s` : DASH) },
            { title: 'Notes', cell: trialNotes },
          ],
          rows,
          (t) => ({
            class:
              [t.trial === automl.chosenTrial ? 'row-chosen' : '', t.error ? 'row-dim' : ''].join(' ').trim() || null,
            'data-trial': t.trial,
          }),
        ),
  );
  return true;
}
