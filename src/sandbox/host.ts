/**
 * What this machine offers the sandbox: the util-linux tools, whether we can
 * make namespaces (as root, or through unprivileged user namespaces), and
 * where the interpreters and their read-only files live. Probed once per
 * process and cached; every missing piece is reported by name.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

export interface HostFacts {
  linux: boolean;
  root: boolean;
  /** Absolute paths of the tools, or undefined when missing. */
  tools: Record<RequiredTool, string | undefined>;
  /** How namespaces can be made here: as real root, through a user namespace, or not at all (with why). */
  namespaces: { mode: 'root' | 'userns' } | { mode: 'none'; reason: string };
  node: Interpreter;
}

export interface Interpreter {
  /** The binary to execute (a real path, not a shim). */
  executable: string;
  /** Directories the interpreter needs read-only (its install prefix when outside /usr). */
  roots: string[];
}

export const REQUIRED_TOOLS = ['unshare', 'prlimit', 'setpriv', 'chroot', 'mount', 'cp', 'chown', 'sh'] as const;
export type RequiredTool = (typeof REQUIRED_TOOLS)[number];

const SEARCH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];

let cached: HostFacts | undefined;

export function hostFacts(): HostFacts {
  return (cached ??= probe());
}

function probe(): HostFacts {
  const linux = process.platform === 'linux';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const tools = {} as Record<RequiredTool, string | undefined>;
  for (const t of REQUIRED_TOOLS) tools[t] = SEARCH.map((d) => `${d}/${t}`).find((p) => existsSync(p));
  return { linux, root, tools, namespaces: probeNamespaces(linux, root, tools), node: nodeInterpreter() };
}

let python: { value: Interpreter | undefined } | undefined;

/** The Python interpreter, probed on first use only (starting a pyenv shim can take seconds). */
export function pythonFacts(): Interpreter | undefined {
  return (python ??= { value: pythonInterpreter() }).value;
}

function probeNamespaces(linux: boolean, root: boolean, tools: Record<RequiredTool, string | undefined>): HostFacts['namespaces'] {
  if (!linux) return { mode: 'none', reason: `namespaces need Linux (this is ${process.platform})` };
  if (!tools.unshare) return { mode: 'none', reason: 'util-linux `unshare` is not installed' };
  const args = [...(root ? [] : ['--user', '--map-root-user']), '--net', '--pid', '--fork', '--mount', '--ipc', '--uts', '--', 'true'];
  const r = spawnSync(tools.unshare, args, { encoding: 'utf8', timeout: 5000, env: {} });
  if (r.status === 0) return { mode: root ? 'root' : 'userns' };
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
  return {
    mode: 'none',
    reason: root ? `cannot create namespaces even as root: ${why}` : `not root and unprivileged user namespaces are unavailable: ${why}`,
  };
}

function nodeInterpreter(): Interpreter {
  const executable = realpathSync(process.execPath);
  return { executable, roots: outsideUsr([dirname(dirname(executable))]) };
}

function pythonInterpreter(): Interpreter | undefined {
  // python3 may be a shim (pyenv, a venv): ask the interpreter where it really lives.
  const r = spawnSync('python3', ['-I', '-c', 'import sys,json;print(json.dumps([sys.executable,sys.base_prefix,sys.base_exec_prefix]))'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0 || !r.stdout) return undefined;
  try {
    const [exe, prefix, execPrefix] = JSON.parse(r.stdout.trim()) as [string, string, string];
    const executable = realpathSync(exe);
    return { executable, roots: outsideUsr([prefix, execPrefix, dirname(dirname(executable))]) };
  } catch {
    return undefined;
  }
}

/** The directories below are bound wholesale; only an install prefix elsewhere needs its own bind. */
function outsideUsr(dirs: string[]): string[] {
  const out = new Set<string>();
  for (const d of dirs) {
    const real = realpathSync(d);
    if (real === '/' || real === '/usr' || real.startsWith('/usr/')) continue;
    out.add(real);
  }
  return [...out];
}

/** The top-level system directories of the sandbox's root: bound read-only, or recreated as the same symlink. */
export function systemDirs(): { binds: string[]; links: [string, string][] } {
  const binds = ['/usr'];
  const links: [string, string][] = [];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const p = `/${name}`;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) links.push([name, readlinkSync(p)]);
    else if (st.isDirectory()) binds.push(p);
  }
  return { binds, links };
}
