// What Linux's /proc says about a process, by pid: its memory and its children (for leak and
// orphan checks in fault tests). Linux only, as is the CI.
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './time';

/** Resident set size of process `pid` in bytes, or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The pids whose parent is `pid` right now. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/**
 * Samples the children of `pid` every `everyMs` until `until` settles, and resolves with every child
 * pid seen: the processes a manager forked, even those that lived a few hundred milliseconds.
 */
export async function watchChildren(pid: number, until: Promise<unknown>, everyMs = 25): Promise<number[]> {
  const seen = new Set<number>();
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    childPids(pid).forEach((child) => seen.add(child));
    await sleep(everyMs);
  }
  return [...seen];
}
