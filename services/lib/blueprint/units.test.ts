import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseDurationUs, parseShare, parseSize } from './units.js';

describe('units', () => {
  it('units - durations become milliseconds in every unit', () => {
    assert.deepEqual(parseDuration('250ms'), { ok: true, value: 250 });
    assert.deepEqual(parseDuration('30s'), { ok: true, value: 30_000 });
    assert.deepEqual(parseDuration('15m'), { ok: true, value: 900_000 });
    assert.deepEqual(parseDuration('2h'), { ok: true, value: 7_200_000 });
    assert.deepEqual(parseDuration('7d'), { ok: true, value: 604_800_000 });
    assert.deepEqual(parseDuration('0s'), { ok: true, value: 0 });
  });

  it('units - microseconds give fractions of a millisecond', () => {
    assert.deepEqual(parseDuration('500us'), { ok: true, value: 0.5 });
    assert.deepEqual(parseDuration('1us'), { ok: true, value: 0.001 });
    assert.deepEqual(parseDurationUs('500us'), { ok: true, value: 500 });
    assert.deepEqual(parseDurationUs('2ms'), { ok: true, value: 2000 });
  });

  it('units - decimal durations are exact doubles', () => {
    assert.deepEqual(parseDuration('1.5h'), { ok: true, value: 5_400_000 });
    assert.deepEqual(parseDuration('0.1s'), { ok: true, value: 100 });
    assert.deepEqual(parseDuration('0.7s'), { ok: true, value: 700 });
    assert.deepEqual(parseDurationUs('0.003ms'), { ok: true, value: 3 });
  });

  it('units - anything else is not a duration, with the value quoted', () => {
    assert.deepEqual(parseDuration('one hour'), { ok: false, message: '"one hour" is not a duration like 1h' });
    assert.deepEqual(parseDuration('1H'), { ok: false, message: '"1H" is not a duration like 1h' });
    assert.deepEqual(parseDuration('1 h'), { ok: false, message: '"1 h" is not a duration like 1h' });
    assert.deepEqual(parseDuration('-5m'), { ok: false, message: '"-5m" is not a duration like 1h' });
    assert.deepEqual(parseDuration('.5s'), { ok: false, message: '".5s" is not a duration like 1h' });
    assert.deepEqual(parseDuration(3600), { ok: false, message: '3600 is not a duration like 1h' });
    assert.deepEqual(parseDuration(['1h']), { ok: false, message: 'a list is not a duration like 1h' });
  });

  it('units - shares become fractions between 0 and 1', () => {
    assert.deepEqual(parseShare('10%'), { ok: true, value: 0.1 });
    assert.deepEqual(parseShare('12.5%'), { ok: true, value: 0.125 });
    assert.deepEqual(parseShare('0%'), { ok: true, value: 0 });
    assert.deepEqual(parseShare('100%'), { ok: true, value: 1 });
    assert.deepEqual(parseShare('150%'), { ok: false, message: '"150%" is more than 100%' });
    assert.deepEqual(parseShare(0.1), { ok: false, message: '0.1 is not a share like 10%' });
    assert.deepEqual(parseShare('10 %'), { ok: false, message: '"10 %" is not a share like 10%' });
  });

  it('units - sizes become bytes with binary units', () => {
    assert.deepEqual(parseSize('512b'), { ok: true, value: 512 });
    assert.deepEqual(parseSize('256kb'), { ok: true, value: 262_144 });
    assert.deepEqual(parseSize('1mb'), { ok: true, value: 1_048_576 });
    assert.deepEqual(parseSize('1MB'), { ok: true, value: 1_048_576 });
    assert.deepEqual(parseSize('1.5kb'), { ok: true, value: 1536 });
    assert.deepEqual(parseSize('2gb'), { ok: true, value: 2_147_483_648 });
    assert.deepEqual(parseSize('0.5b'), { ok: false, message: '"0.5b" is not a whole number of bytes' });
    assert.deepEqual(parseSize('big'), { ok: false, message: '"big" is not a size like 256kb' });
    assert.deepEqual(parseSize(1024), { ok: false, message: '1024 is not a size like 256kb' });
  });
});
