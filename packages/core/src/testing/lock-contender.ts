/**
 * A second process for the lock tests: at each of the agreed moments it tries to take the lock of
 * one directory, holds whatever it got until the end, and prints one JSON line of outcomes
 * (`acquired` or `locked`). Arguments: the start time (ms since the epoch), the interval between
 * rounds (ms), then the directories.
 */
import { DirectoryLock, DirectoryLockedError } from '../io/directory-lock.js';

const [start, interval, ...dirs] = process.argv.slice(2);
const held: DirectoryLock[] = [];
const outcomes: string[] = [];
for (const [round, dir] of dirs.entries()) {
  const at = Number(start) + round * Number(interval);
  // Spin rather than sleep: the two contenders must try within microseconds of each other.
  while (Date.now() < at) {}
  try {
    held.push(DirectoryLock.acquire(dir));
    outcomes.push('acquired');
  } catch (error) {
    if (!(error instanceof DirectoryLockedError)) throw error;
    outcomes.push('locked');
  }
}
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
// Hold every lock won until the test tells us to go (it closes our stdin).
process.stdin.resume();
process.stdin.on('end', () => {
  for (const lock of held) lock.release();
});
