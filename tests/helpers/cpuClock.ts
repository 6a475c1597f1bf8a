/**
 * A clock that counts the CPU time of this process and all its descendants (the render browser, ffmpeg), for tests
 * that judge time estimates on a shared machine: other processes' load slows the wall clock's view of a job, but not
 * the CPU time the job's own processes spend on it. Linux only (reads /proc).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second of /proc/<pid>/stat's time fields (USER_HZ, 100 on Linux on every architecture). */
const USER_HZ = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, clock ticks: the process's CPU time and that of its reaped children. */
  ticks: number;
}

/** Parses /proc/<pid>/stat (`pid (comm) state ppid … utime stime cutime cstime …`; comm may hold spaces). */
function readStat(pid: string): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited meanwhile
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): field n is f[n − 3].
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

/** @returns true where the CPU clock can be read (Linux /proc). */
export function hasCpuClock(): boolean {
  return readStat(String(process.pid)) !== null;
}

/**
 * Makes a clock in milliseconds of CPU time spent by this process and its descendants (user + system, all threads,
 * children that have exited included once reaped), for an injectable `nowMs`. Never goes backwards (a descendant
 * reparented away takes its time with it: the clock then holds until the tree catches up).
 * @returns a function giving CPU milliseconds since this process started, 10 ms resolution.
 * @throws Error where /proc cannot be read (not Linux); check {@link hasCpuClock} first.
 */
export function processTreeCpuClock(): () => number {
  if (!hasCpuClock()) throw new Error('processTreeCpuClock: /proc/<pid>/stat cannot be read here');
  let lastMs = 0;
  return () => {
    const stats = new Map<number, ProcStat>();
    for (const name of readdirSync('/proc')) {
      if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
      const st = readStat(name);
      if (st) stats.set(Number(name), st);
    }
    const children = new Map<number, number[]>();
    for (const [pid, st] of stats) {
      const list = children.get(st.ppid);
      if (list) list.push(pid);
      else children.set(st.ppid, [pid]);
    }
    let ticks = 0;
    const stack = [process.pid];
    while (stack.length) {
      const pid = stack.pop()!;
      ticks += stats.get(pid)?.ticks ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    lastMs = Math.max(lastMs, (ticks * 1000) / USER_HZ);
    return lastMs;
  };
}
