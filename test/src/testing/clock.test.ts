// testClock: a Clock (ms) that only the test moves; seconds() is the unit of iat/exp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TEST_START, testClock } from '@apojwt/testing';

test('testClock: starts at a fixed instant and stays there until moved', () => {
  const clock = testClock();
  assert.equal(clock(), DEFAULT_TEST_START);
  assert.equal(clock(), DEFAULT_TEST_START);
  assert.equal(clock.seconds(), Math.floor(DEFAULT_TEST_START / 1000));
});

test('testClock: advance moves by seconds (back too), set jumps to an instant or a Date', () => {
  const clock = testClock(1_000_000);
  clock.advance(30);
  assert.equal(clock(), 1_030_000);
  clock.advance(-10);
  assert.equal(clock(), 1_020_000);
  clock.set(new Date(5_000));
  assert.equal(clock(), 5_000);
  clock.set(7_500);
  assert.equal(clock.seconds(), 7);
});

test('testClock: a non-finite start, step or instant is a TypeError, and the clock keeps its time', () => {
  assert.throws(() => testClock(Number.NaN), TypeError);
  assert.throws(() => testClock(new Date('nonsense')), TypeError);
  const clock = testClock(1_000);
  assert.throws(() => clock.advance(Number.POSITIVE_INFINITY), TypeError);
  assert.throws(() => clock.advance('5' as never), TypeError);
  assert.throws(() => clock.set(Number.NaN), TypeError);
  assert.equal(clock(), 1_000);
});
