// Preloaded (node --import) into a command-line run by the tests: stands for a power cut
// or SIGKILL at one exact moment. Just before a file whose name ends with
// $KILL_BEFORE_RENAME is renamed into place (the last step of an atomic write), every
// process below this one and then this one are killed with SIGKILL.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const target = process.env.KILL_BEFORE_RENAME;
const rename = fs.renameSync;

function descendants(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Ended while we looked.
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

fs.renameSync = (from, to) => {
  if (target && String(to).endsWith(target)) {
    for (const pid of descendants(process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    process.kill(process.pid, 'SIGKILL');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000); // the rename never happens
  }
  return rename(from, to);
};
syncBuiltinESMExports();
