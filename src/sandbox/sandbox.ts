/**
 * The code sandbox: runs untrusted JavaScript or Python (model-generated code,
 * for Reflexion) with an input value and returns its output, stdout, stderr
 * and a typed failure.
 *
 * Why this mechanism. A V8 isolate library (isolated-vm) would cover only
 * JavaScript, is a native addon (a build step on every machine) and shares the
 * host process, so a V8 bug or an allocation bomb outside the heap touches the
 * host. Node's permission model alone restricts the file system, child
 * processes and workers but, in Node 20, not the network, and does nothing for
 * Python. bubblewrap would do the namespace work well but is one more package
 * to install. So every run is a fresh process tree built from util-linux tools
 * (present on every Debian/Ubuntu), with independent layers, each of which
 * alone stops a class of escape:
 *
 *   1. `setpriv --pdeathsig KILL` → `unshare --net --pid --mount --ipc --uts --fork --kill-child`:
 *      a network namespace with only a downed loopback (no route anywhere, not
 *      even to the host's 127.0.0.1), a PID namespace (the program sees only
 *      itself; when its init dies the kernel kills everything left in it, and
 *      if the host dies the whole tree dies with it), private mounts.
 *   2. A new root (chroot into a tmpfs) holding only read-only binds of /usr
 *      (and /lib* where they are not symlinks) and of the interpreter's install
 *      prefix, /dev/null, and /work: a size-capped tmpfs holding the program,
 *      its input and whatever it writes. No /etc, /home, /root, /tmp, /proc, no
 *      project files; writes go to the tmpfs only and vanish with the run.
 *   3. An unprivileged identity: as root, a uid of its own per concurrent run
 *      (so RLIMIT_NPROC counts only that run's tasks), no supplementary groups,
 *      an empty capability bounding set and no_new_privs; without root, the
 *      user namespace's root with every capability dropped.
 *   4. rlimits (prlimit): CPU seconds (SIGXCPU, then SIGKILL), address space,
 *      file size, open files, no core dumps, and tasks (Python: one, so no fork
 *      and no threads; Node: enough for its own threads).
 *   5. For JavaScript, Node's permission model on top: file reads and writes
 *      only under /work, no child processes, no workers, no native addons; V8
 *      in --jitless mode (no JIT: a smaller attack surface, no WebAssembly) with
 *      a heap cap.
 *   6. From the host: a minimal environment (no secret of ours reaches the
 *      program), a wall-clock kill of the whole process group, an output cap
 *      that kills the run past it, and removal of the run's host directory.
 *   7. A sealed verdict: the runner prefixes its one result with a per-run
 *      seal it read from stdin before the program loaded (runners.ts), and
 *      success also needs the clean exit the kernel reports, so a program
 *      that writes a "result" of its own gets a `protocol` failure.
 *
 * Not root and no user namespaces (some containers, hardened kernels, macOS):
 * the sandbox throws SandboxUnavailable naming what is missing, and never runs
 * code unsandboxed. A caller may opt in to `process` isolation (layers 4–6 with
 * Node's permission model; JavaScript only, network NOT blocked) with
 * `allowWeakerIsolation: true` or `isolation: 'process'`; results say which
 * isolation ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, RunAborted } from '../core/errors.js';
import { SandboxUnavailable } from './errors.js';
import { hostFacts, pythonFacts, systemDirs, type HostFacts, type Interpreter } from './host.js';
import { JS_RUNNER, PY_RUNNER } from './runners.js';
import type { SandboxFailure, SandboxIsolation, SandboxLanguage, SandboxLimits, SandboxResult, SandboxRunRequest } from './types.js';

export interface SandboxOptions extends SandboxLimits {
  /** 'namespaces' (default) or, explicitly, the weaker 'process'. */
  isolation?: SandboxIsolation;
  /** When namespaces are unavailable, run with 'process' isolation instead of throwing. Default false. */
  allowWeakerIsolation?: boolean;
  /** Where per-run host directories are made (default: the OS temp dir). */
  tmpRoot?: string;
}

export interface SandboxRunOptions {
  /** Cancels the run (kills it) and rejects with RunAborted (or the signal's reason when it is one of our typed errors, e.g. BudgetExceeded). */
  signal?: AbortSignal;
  /** Treat a program without `main` as a failure (`no_main`) instead of a script with null output. */
  requireMain?: boolean;
}

const DEFAULTS = { timeoutMs: 5000, memoryMb: 128, maxOutputBytes: 1 << 20, diskMb: 16 };
/** Address space above the heap cap: V8's own reservations (jitless) / the Python runtime. */
const NODE_AS_HEADROOM_MB = 256;
const PYTHON_AS_HEADROOM_MB = 64;
const NODE_TASKS = 32;
const WORK = '/work';
const SANDBOX_ENV = { PATH: '/usr/bin:/bin', HOME: WORK, TMPDIR: WORK, LANG: 'C.UTF-8', UV_THREADPOOL_SIZE: '2' };

/** Written by the setup script to the result channel before the program starts: its absence means the sandbox, not the program, failed. */
const SETUP_DONE = 'R';

/** Runs inside the new namespaces as their root, before dropping to the program's identity. Paths arrive as arguments, never spliced into the script. */
const SETUP_SCRIPT = `set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
H=$1; U=$2; WORK_KB=$3; BINDS=$4; LINKS=$5; shift 5
R="$H/root"
mount -t tmpfs -o size=1024k,mode=0755 sandbox-root "$R"
IFS='
'
for p in $BINDS; do mkdir -p "$R$p"; mount --bind -o ro "$p" "$R$p"; done
for l in $LINKS; do ln -s "\${l#*=}" "$R/\${l%%=*}"; done
unset IFS
mkdir "$R/dev" "$R${WORK}"
touch "$R/dev/null"; mount --bind /dev/null "$R/dev/null"
mount -t tmpfs -o "size=\${WORK_KB}k,mode=0700" sandbox-work "$R${WORK}"
cp "$H/in/"* "$R${WORK}/"
if [ -n "$U" ]; then chown -R "$U:$U" "$R${WORK}"; fi
printf ${SETUP_DONE} >&3
chroot "$R" "$@"
`;

export class Sandbox {
  private readonly options: SandboxOptions;
  private isolationChoice: SandboxIsolation | undefined;

  constructor(options: SandboxOptions = {}) {
    validateLimits(options, 'sandbox');
    this.options = options;
  }

  /** The isolation runs will get here; throws SandboxUnavailable when the asked-for one is impossible. */
  get isolation(): SandboxIsolation {
    return (this.isolationChoice ??= chooseIsolation(this.options, hostFacts()));
  }

  async run(request: SandboxRunRequest, runOptions: SandboxRunOptions = {}): Promise<SandboxResult> {
    validateLimits(request, 'sandbox.run');
    if (request.language !== 'javascript' && request.language !== 'python') {
      throw new ConfigError('sandbox.run.language', `must be "javascript" or "python", got ${JSON.stringify(request.language)}`);
    }
    if (typeof request.code !== 'string') throw new ConfigError('sandbox.run.code', 'must be a string');
    if (runOptions.signal?.aborted) throw abortError(runOptions.signal.reason);
    const facts = hostFacts();
    const isolation = this.isolation;
    const interpreter = interpreterFor(request.language, facts, isolation);
    const limits = {
      timeoutMs: request.timeoutMs ?? this.options.timeoutMs ?? DEFAULTS.timeoutMs,
      memoryMb: request.memoryMb ?? this.options.memoryMb ?? DEFAULTS.memoryMb,
      maxOutputBytes: request.maxOutputBytes ?? this.options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
      diskMb: request.diskMb ?? this.options.diskMb ?? DEFAULTS.diskMb,
      cpuSeconds: 0,
    };
    limits.cpuSeconds = request.cpuSeconds ?? this.options.cpuSeconds ?? Math.max(1, Math.ceil(limits.timeoutMs / 1000));
    if (request.batch !== undefined && !Array.isArray(request.batch)) throw new ConfigError('sandbox.run.batch', 'must be an array of inputs');
    const input = JSON.stringify(request.batch ?? request.input ?? null);
    if (input === undefined) throw new ConfigError('sandbox.run.input', 'must be JSON-serializable');

    const hostDir = await mkdtemp(join(this.options.tmpRoot ?? tmpdir(), 'agent-sandbox-'));
    const slot = isolation === 'namespaces' && facts.namespaces.mode === 'root' ? await uidSlots.acquire() : undefined;
    try {
      const filesDir = join(hostDir, isolation === 'namespaces' ? 'in' : 'work');
      await mkdir(filesDir, { mode: 0o700 });
      if (isolation === 'namespaces') await mkdir(join(hostDir, 'root'), { mode: 0o700 });
      const js = request.language === 'javascript';
      await writeFile(join(filesDir, js ? 'main.js' : 'main.py'), request.code);
      await writeFile(join(filesDir, js ? 'runner.cjs' : 'runner.py'), js ? JS_RUNNER : PY_RUNNER);
      await writeFile(join(filesDir, 'input.json'), input);
      if (request.batch) await writeFile(join(filesDir, 'batch'), '');
      const workDir = isolation === 'namespaces' ? WORK : filesDir;
      const program = programArgs(request.language, interpreter, workDir, limits.memoryMb);
      const rlimits = rlimitArgs(facts, request.language, limits, slot);
      const argv =
        isolation === 'namespaces'
          ? namespacedArgv(facts, hostDir, slot, limits.diskMb, interpreter, rlimits, program)
          : [facts.tools.prlimit!, ...rlimits, '--', ...program];
      const env = isolation === 'namespaces' ? SANDBOX_ENV : { ...SANDBOX_ENV, HOME: filesDir, TMPDIR: filesDir };
      // A fresh seal per run: the runner prefixes its one result with it (see runners.ts).
      const seal = randomBytes(18).toString('base64url');
      const raw = await execute(argv, env, isolation === 'namespaces' ? '/' : filesDir, limits, seal, runOptions.signal);
      if (isolation === 'namespaces') {
        if (raw.result[0] === SETUP_DONE.charCodeAt(0)) raw.result = raw.result.subarray(1);
        else if (!raw.timedOut && !raw.outputExceeded) {
          throw new SandboxUnavailable('setup', `the sandbox could not be set up: ${raw.stderr.toString('utf8').trim().slice(0, 500)}`);
        }
      }
      return toResult(raw, seal, request.language, isolation, limits.memoryMb, runOptions.requireMain ?? false);
    } finally {
      if (slot !== undefined) uidSlots.release(slot);
      await rm(hostDir, { recursive: true, force: true });
    }
  }
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return new Sandbox(options);
}

/** Picks the isolation a sandbox gets on a host (exported for tests: it is where fail-closed is decided). */
export function chooseIsolation(options: SandboxOptions, facts: HostFacts): SandboxIsolation {
  if (options.isolation !== undefined && options.isolation !== 'namespaces' && options.isolation !== 'process') {
    throw new ConfigError('sandbox.isolation', 'must be "namespaces" or "process"');
  }
  const missingProcessTool = !facts.tools.prlimit ? 'prlimit' : undefined;
  if (options.isolation === 'process') {
    if (missingProcessTool) throw new SandboxUnavailable(missingProcessTool, 'util-linux `prlimit` is needed for resource limits');
    return 'process';
  }
  const missing = namespacesMissing(facts);
  if (!missing) return 'namespaces';
  if (options.allowWeakerIsolation && !missingProcessTool) return 'process';
  throw new SandboxUnavailable(
    missing.what,
    `${missing.why}. Install it, or opt in to the weaker isolation with { allowWeakerIsolation: true } (JavaScript only, network not blocked).`,
  );
}

function namespacesMissing(facts: HostFacts): { what: string; why: string } | undefined {
  if (!facts.linux) return { what: 'linux', why: `namespace isolation needs Linux, this is ${process.platform}` };
  for (const [tool, path] of Object.entries(facts.tools)) {
    if (!path) return { what: tool, why: `\`${tool}\` (util-linux / coreutils) is not installed` };
  }
  if (facts.namespaces.mode === 'none') return { what: 'namespaces', why: facts.namespaces.reason };
  return undefined;
}

function interpreterFor(language: SandboxLanguage, facts: HostFacts, isolation: SandboxIsolation): Interpreter {
  if (language === 'javascript') return facts.node;
  if (isolation !== 'namespaces') {
    throw new SandboxUnavailable('namespaces', 'Python runs only with namespace isolation (it has no permission model to fall back on)');
  }
  const python = pythonFacts();
  if (!python) throw new SandboxUnavailable('python3', '`python3` is not installed or does not start');
  return python;
}

function programArgs(language: SandboxLanguage, interpreter: Interpreter, workDir: string, memoryMb: number): string[] {
  if (language === 'python') return [interpreter.executable, '-I', '-S', '-B', '-X', 'utf8', join(workDir, 'runner.py'), workDir];
  return [
    interpreter.executable,
    '--experimental-permission',
    `--allow-fs-read=${workDir}`,
    `--allow-fs-write=${workDir}`,
    '--disable-warning=ExperimentalWarning',
    '--no-addons',
    '--jitless',
    '--no-expose-wasm',
    `--max-old-space-size=${memoryMb}`,
    join(workDir, 'runner.cjs'),
    workDir,
  ];
}

function rlimitArgs(facts: HostFacts, language: SandboxLanguage, limits: { cpuSeconds: number; memoryMb: number; diskMb: number }, slot: number | undefined): string[] {
  const mb = 1024 * 1024;
  const headroom = language === 'javascript' ? NODE_AS_HEADROOM_MB : PYTHON_AS_HEADROOM_MB;
  const args = [
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--as=${(limits.memoryMb + headroom) * mb}`,
    `--fsize=${limits.diskMb * mb}`,
    '--nofile=128',
    '--core=0',
  ];
  // RLIMIT_NPROC counts tasks per user: meaningful only where the run has a user of its own.
  if (slot !== undefined) args.push(`--nproc=${language === 'python' ? 1 : NODE_TASKS}`);
  else if (facts.namespaces.mode === 'userns') args.push(`--nproc=${language === 'python' ? 4 : NODE_TASKS + 4}`);
  return args;
}

function namespacedArgv(
  facts: HostFacts,
  hostDir: string,
  slot: number | undefined,
  diskMb: number,
  interpreter: Interpreter,
  rlimits: string[],
  program: string[],
): string[] {
  const t = facts.tools as Record<keyof HostFacts['tools'], string>;
  const sys = systemDirs();
  const binds = [...sys.binds, ...interpreter.roots];
  for (const p of [hostDir, ...binds]) if (p.includes('\n') || p.includes('=')) throw new ConfigError('sandbox.paths', `unsupported character in path ${JSON.stringify(p)}`);
  const uid = slot !== undefined ? String(uidOf(slot)) : '';
  const identity = uid ? [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'] : [];
  return [
    t.setpriv, '--pdeathsig=KILL', '--',
    t.unshare, ...(facts.namespaces.mode === 'userns' ? ['--user', '--map-root-user'] : []),
    '--net', '--pid', '--mount', '--ipc', '--uts', '--fork', '--kill-child', '--',
    t.sh, '-c', SETUP_SCRIPT, 'sandbox-setup', hostDir, uid, String(diskMb * 1024), binds.join('\n'), sys.links.map(([n, target]) => `${n}=${target}`).join('\n'),
    // Inside the new root: limits, then the identity drop, then the interpreter.
    t.prlimit, ...rlimits, '--',
    t.setpriv, ...identity, '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--pdeathsig=KILL', '--',
    ...program,
  ];
}

interface RawRun {
  stdout: Buffer;
  stderr: Buffer;
  result: Buffer;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  outputExceeded: boolean;
  durationMs: number;
}

function execute(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  limits: { timeoutMs: number; maxOutputBytes: number },
  seal: string,
  signal: AbortSignal | undefined,
): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { env, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    // The seal, then end of input: the runner reads it all and closes stdin before the program loads.
    child.stdin!.on('error', () => {}); // a run that dies at once closes the pipe first
    child.stdin!.end(seal);
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[], result: [] as Buffer[] };
    let total = 0;
    let timedOut = false;
    let outputExceeded = false;
    let aborted = false;
    // Kill the whole process group: the namespace's init and everything in it.
    const killAll = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const collect = (name: keyof typeof chunks) => (buf: Buffer) => {
      if (outputExceeded) return;
      const room = limits.maxOutputBytes - total;
      if (buf.length > room) {
        chunks[name].push(buf.subarray(0, Math.max(0, room)));
        total = limits.maxOutputBytes;
        outputExceeded = true;
        killAll();
        return;
      }
      chunks[name].push(buf);
      total += buf.length;
    };
    child.stdout!.on('data', collect('stdout'));
    child.stderr!.on('data', collect('stderr'));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', collect('result'));
    const timer = setTimeout(() => {
      timedOut = true;
      killAll();
    }, limits.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killAll();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      killAll();
      reject(new SandboxUnavailable(argv[0]!, `cannot start: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      killAll(); // stragglers that closed their pipes (none should survive the namespace's init)
      if (aborted) {
        reject(abortError(signal!.reason));
        return;
      }
      resolve({
        stdout: Buffer.concat(chunks.stdout),
        stderr: Buffer.concat(chunks.stderr),
        result: Buffer.concat(chunks.result),
        exitCode: code,
        signal: sig,
        timedOut,
        outputExceeded,
        durationMs: performance.now() - t0,
      });
    });
  });
}

/**
 * The budget's own error when the budget fired the abort, else RunAborted (a bare abort()'s DOMException has a
 * numeric `code`): the rule of core/context's asAbortError, not imported because this module must load with
 * core/errors.js (and the secrets.js it imports) alone: test/sandbox/isolation-modes copies only those.
 */
function abortError(reason: unknown): Error {
  return reason instanceof Error && typeof (reason as { code?: unknown }).code === 'string' ? reason : new RunAborted(reason);
}

const OOM = /heap out of memory|Fatal process out of memory|Fatal process OOM|Array buffer allocation failed|Cannot allocate memory|MemoryError|out of memory/i;
const SIGXCPU_EXIT = 128 + 24;
const SIGKILL_EXIT = 128 + 9;

function toResult(raw: RawRun, seal: string, language: SandboxLanguage, isolation: SandboxIsolation, memoryMb: number, requireMain: boolean): SandboxResult {
  const stdout = raw.stdout.toString('utf8');
  const stderr = withoutV8OomReport(raw.stderr.toString('utf8'));
  const base = { stdout, stderr, durationMs: raw.durationMs, language, isolation, exitCode: raw.exitCode, signal: raw.signal };
  const fail = (error: SandboxFailure): SandboxResult => ({ ok: false, output: null, error, ...base });
  if (raw.outputExceeded) return fail({ kind: 'output_limit', message: 'output exceeded the cap; the run was killed' });
  if (raw.timedOut) return fail({ kind: 'timeout', message: 'wall-clock limit reached; the run was killed' });
  const memoryLimit = `memory limit of ${memoryMb} MB reached`;
  let parsed: { ok: boolean; output?: unknown; noMain?: boolean; error?: { name?: string; message?: string; stack?: string } } | undefined;
  if (raw.result.length > 0) {
    // One result, sealed by the runner: anything else on the channel was written by the program.
    const sealed = `${seal}\n`;
    const text = raw.result.toString('utf8');
    if (!text.startsWith(sealed)) return fail({ kind: 'protocol', message: 'the result channel held something the runner did not write; the program wrote over it' });
    try {
      parsed = JSON.parse(text.slice(sealed.length)) as typeof parsed;
    } catch {
      return fail({ kind: 'protocol', message: 'the result channel held something other than one sealed JSON result' });
    }
  }
  // Success is the runner's sealed result and a clean exit, as the kernel reports it.
  if (parsed?.ok && raw.exitCode !== 0) {
    return fail({ kind: 'runtime_error', message: `exited with ${raw.exitCode === null ? `signal ${raw.signal}` : `code ${raw.exitCode}`} after its result` });
  }
  if (parsed?.ok) {
    if (parsed.noMain && requireMain) return fail({ kind: 'no_main', message: 'the program defines no main(input) function' });
    return { ok: true, output: parsed.output ?? null, error: null, ...base };
  }
  if (parsed?.error) {
    const message = `${parsed.error.name ?? 'Error'}: ${parsed.error.message ?? ''}`;
    const stack = parsed.error.stack ? programFrames(parsed.error.stack) : '';
    if (OOM.test(message)) return fail({ kind: 'memory_limit', message: `${memoryLimit} (${message})${stack}` });
    return fail({ kind: 'runtime_error', message: message + stack });
  }
  // No result: the process died before the runner could answer.
  const status = raw.exitCode;
  if (OOM.test(raw.stderr.toString('utf8')) || (language === 'javascript' && (status === 128 + 6 || status === 128 + 5))) {
    return fail({ kind: 'memory_limit', message: `${memoryLimit}; the run was killed` });
  }
  if (status === SIGXCPU_EXIT || status === SIGKILL_EXIT || raw.signal === 'SIGXCPU' || raw.signal === 'SIGKILL') {
    return fail({ kind: 'cpu_limit', message: 'CPU time limit reached; the run was killed' });
  }
  const tail = stderr.trim().split('\n').slice(-6).join('\n');
  return fail({ kind: 'runtime_error', message: `exited with ${status === null ? `signal ${raw.signal}` : `code ${status}`}${tail ? `:\n${tail}` : ''}` });
}

/**
 * V8's report when the heap cap is hit (its last GCs, a JS stack, a native
 * stack) says nothing to the program's author that `memory_limit` does not:
 * the program's own stderr before it is kept, the report is cut.
 */
function withoutV8OomReport(stderr: string): string {
  const at = stderr.search(/\n?<--- Last few GCs --->|\n?FATAL ERROR: [^\n]*(heap|memory)/);
  return at < 0 ? stderr : stderr.slice(0, at);
}

/** The program's own frames of a stack trace (lines in main.js / main.py), for a short, useful error. */
export function programFrames(stack: string): string {
  const lines = stack.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length && out.length < 8; i++) {
    const l = lines[i]!;
    if (/^\s*at /.test(l)) {
      if (/main\.js/.test(l)) out.push(l);
    } else if (/^\s*File "/.test(l)) {
      if (/main\.py/.test(l)) {
        out.push(l);
        const code = lines[i + 1];
        if (code && !/^\s*(File "|at )/.test(code)) out.push(code);
      }
    } else if (i === 0 && /main\.js:\d+/.test(l)) {
      out.push(l); // a SyntaxError's location line
    }
  }
  return out.length ? `\n${out.join('\n')}` : '';
}

function validateLimits(limits: SandboxLimits, where: string): void {
  const positive = (name: keyof SandboxLimits, max: number) => {
    const v = limits[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) throw new ConfigError(`${where}.${name}`, `must be a number in (0, ${max}]`);
  };
  positive('timeoutMs', 3_600_000);
  positive('cpuSeconds', 3600);
  positive('memoryMb', 16_384);
  positive('maxOutputBytes', 1 << 30);
  positive('diskMb', 16_384);
  if (limits.cpuSeconds !== undefined && !Number.isInteger(limits.cpuSeconds)) throw new ConfigError(`${where}.cpuSeconds`, 'must be a whole number (RLIMIT_CPU counts seconds)');
}

/**
 * As root, each concurrent run gets a uid of its own, derived from our pid so
 * that sandboxes of other processes do not collide: RLIMIT_NPROC then counts
 * only that run's tasks, and the uid owns nothing on the host.
 */
const UID_BASE = 1_000_000;
const SLOTS = 64;
function uidOf(slot: number): number {
  return UID_BASE + (process.pid % 4_000_000) * SLOTS + slot;
}

/** The uid range this process uses for its sandboxed runs (for tests that look for leaks). */
export function sandboxUidRange(): { min: number; max: number } {
  return { min: uidOf(0), max: uidOf(SLOTS - 1) };
}

const uidSlots = new (class {
  private readonly free = Array.from({ length: SLOTS }, (_, i) => i);
  private readonly waiting: ((slot: number) => void)[] = [];
  acquire(): Promise<number> {
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
})();
