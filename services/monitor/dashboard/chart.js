/* global uPlot, ResizeObserver */
// One uPlot chart in a host element, created once and then fed with setData on every tick.
// It is rebuilt only when the set of lines changes (another blueprint, a new feature), and
// follows the host's width, so the window can be resized freely.

import { h } from './dom.js';

export class Chart {
  /** @param host an element in the page, e.g. [data-chart="quality"]; @param height plot height in px */
  constructor(host, { height = 200 } = {}) {
    this.height = height;
    this.plot = null;
    this.signature = null;
    this.plotEl = h('div', { class: 'chart-plot' });
    this.emptyEl = h('div', { class: 'chart-empty', hidden: true });
    host.replaceChildren(this.plotEl, this.emptyEl);
    this.lastWidth = 0;
    // Only the width matters: the legend below the plot changes the height, and reacting to
    // that would loop.
    this.observer = new ResizeObserver(() => {
      const width = this.width();
      if (this.plot !== null && width !== this.lastWidth) {
        this.lastWidth = width;
        this.plot.setSize({ width, height: this.height });
      }
    });
    this.observer.observe(this.plotEl);
  }

  width() {
    return Math.max(160, Math.floor(this.plotEl.clientWidth));
  }

  /**
   * Show `data` (uPlot's aligned columns) with `opts`. `signature` names the structure of
   * opts: while it stays the same, only the data is replaced.
   */
  render({ signature, opts, data, emptyText = 'No data yet' }) {
    if (this.plot === null || signature !== this.signature) {
      this.plot?.destroy();
      this.lastWidth = this.width();
      this.plot = new uPlot({ ...opts, width: this.lastWidth, height: this.height }, data, this.plotEl);
      this.signature = signature;
    } else {
      this.plot.setData(data);
    }
    // Without points uPlot would keep the previous blueprint's time axis; show only the message.
    const hasPoints = data.slice(1).some((col) => col.some((v) => v !== null && v !== undefined));
    this.emptyEl.textContent = emptyText;
    this.emptyEl.hidden = hasPoints;
    this.plotEl.classList.toggle('no-data', !hasPoints);
  }

  destroy() {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }
}
