/* global window, document, setInterval, URLSearchParams */
// The monitoring page: keeps the latest overview, the selected blueprint (#bp=NAME) and its
// time series, and redraws the page from them. Read-only: it never changes anything.

import { connect, fetchSeries } from './api.js';
import { Chart } from './chart.js';
import { driftChart, latencyChart, paretoChart, qualityChart, trafficChart } from './charts.js';
import { renderAutoml, renderExperiment, renderGuardrails, renderModels, renderVersions } from './comparisons.js';
import { renderDeployment, renderFeatures, renderHead, renderNumbers } from './detail.js';
import { renderAlerts, renderBlueprintList, renderLag } from './fleet.js';
import { clock, isNum, metricLabel } from './format.js';

const $ = (selector) => document.querySelector(selector);

const state = {
  /** The latest /api/overview answer. */
  overview: null,
  /** When it arrived, by this browser's clock: drives "updated … ago". */
  receivedAt: 0,
  /** The blueprint shown, and its /api/series map (null while loading). */
  selected: null,
  series: null,
  connection: 'connecting',
};

// Created once; each tick only hands them new data.
const charts = {
  quality: new Chart($('[data-chart="quality"]')),
  latency: new Chart($('[data-chart="latency"]')),
  traffic: new Chart($('[data-chart="traffic"]')),
  drift: new Chart($('[data-chart="drift"]')),
  pareto: new Chart($('[data-chart="pareto"]'), { height: 240 }),
};

function hashBlueprint() {
  return new URLSearchParams(window.location.hash.slice(1)).get('bp');
}

/** The blueprint named in the hash, else the first one. */
function currentBlueprint() {
  const blueprints = state.overview?.blueprints ?? [];
  return blueprints.find((bp) => bp.name === hashBlueprint()) ?? blueprints[0] ?? null;
}

// --- time series of the selected blueprint

let seriesRequest = null; // { name, again } while a request is out

async function loadSeries() {
  const name = state.selected;
  if (name === null) return;
  // One request at a time per blueprint; a tick that comes meanwhile asks for one more.
  if (seriesRequest?.name === name) {
    seriesRequest.again = true;
    return;
  }
  const request = (seriesRequest = { name, again: false });
  try {
    const answer = await fetchSeries(name);
    if (state.selected === name) {
      state.series = answer?.series ?? {};
      renderCharts();
    }
  } catch (err) {
    console.warn(`series of ${name} failed:`, err.message);
  } finally {
    if (seriesRequest === request) seriesRequest = null;
    if (request.again && state.selected === name) loadSeries();
  }
}

function renderCharts() {
  const bp = currentBlueprint();
  if (bp === null) return;
  const series = state.series ?? {};
  const emptyText = state.series === null ? 'Loading…' : 'No data yet';
  const quality = qualityChart(bp, series);
  $('#quality-keys').textContent = quality.keys.join(' · ');
  charts.quality.render({ ...quality, emptyText });
  charts.latency.render({ ...latencyChart(series), emptyText });
  charts.traffic.render({ ...trafficChart(series), emptyText });
  charts.drift.render({ ...driftChart(series), emptyText });
}

// --- the page

function renderHeader() {
  const overview = state.overview;
  const updated = $('#updated');
  if (overview !== null) {
    const seconds = Math.round((Date.now() - state.receivedAt) / 1000);
    const tickMs = isNum(overview.tickMs) ? overview.tickMs : 5000;
    updated.textContent = `Updated ${clock(overview.now)}${seconds >= 2 ? ` · ${seconds} s ago` : ''}`;
    updated.classList.toggle('stale', Date.now() - state.receivedAt > 3 * tickMs);
  }
  const labels = {
    connecting: 'Connecting…',
    live: 'Live',
    polling: 'Reconnecting · polling',
    reconnecting: 'Reconnecting…',
  };
  const conn = $('#connection');
  conn.dataset.connection = state.connection;
  conn.textContent = labels[state.connection] ?? state.connection;
}

function render() {
  const overview = state.overview;
  if (overview === null) return;
  const now = overview.now;
  const blueprints = overview.blueprints ?? [];
  const bp = currentBlueprint();
  document.body.dataset.updated = String(now);

  renderHeader();
  renderBlueprintList($('#blueprints'), blueprints, bp?.name ?? null);
  renderAlerts($('#alerts'), overview.alerts ?? [], now);
  renderLag($('#lag'), overview.lag ?? []);
  const raised = (overview.alerts ?? []).filter((a) => a.state !== 'cleared').length;
  document.title = `${raised > 0 ? `(${raised}) ` : ''}Looper monitor${bp ? ` · ${bp.name}` : ''}`;

  $('#detail').hidden = bp === null;
  $('#no-blueprint').hidden = bp !== null;
  if (bp === null) return;

  if (bp.name !== state.selected) {
    state.selected = bp.name;
    state.series = null;
    renderCharts();
  }
  renderHead($('#bp-head'), bp);
  renderNumbers($('#numbers'), bp);
  renderDeployment($('#deployment'), bp, now);
  renderVersions($('#versions'), bp);
  renderFeatures($('#features'), bp);
  renderModels($('#models'), bp);
  renderGuardrails($('#guardrails'), bp);
  renderExperiment($('#experiment'), bp);

  const automl = $('#automl');
  automl.hidden = !renderAutoml($('#automl-summary'), $('#automl-table'), bp, now);
  if (!automl.hidden) {
    const pareto = paretoChart(bp.automl);
    const versus = pareto.byLatency ? 'speed (p99 latency)' : 'model size';
    $('#pareto-title').firstChild.textContent = `Trade-offs: ${metricLabel(bp.automl.metric)} vs ${versus} `;
    charts.pareto.render(pareto);
  }
}

connect({
  onOverview(overview) {
    state.overview = overview;
    state.receivedAt = Date.now();
    render();
    loadSeries();
  },
  onState(connection) {
    state.connection = connection;
    renderHeader();
  },
});

window.addEventListener('hashchange', () => {
  render();
  loadSeries();
});

// "… s ago" keeps counting between ticks, so a stalled page is visible as such.
setInterval(renderHeader, 1000);
