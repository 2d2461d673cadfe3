/** What goes into a sandbox run and what comes out. */

export type SandboxLanguage = 'javascript' | 'python';

/**
 * How strongly a run is isolated.
 * - `namespaces`: fresh PID/network/mount/IPC/UTS namespaces, a chroot holding only the
 *   interpreter's read-only files and a size-capped tmpfs work dir, an unprivileged uid,
 *   no capabilities, rlimits, Node's permission model (JavaScript), a wall-clock kill.
 * - `process`: the weaker, opt-in mode for machines without namespaces: a child process
 *   with Node's permission model, rlimits, a minimal env and a wall-clock kill. It does
 *   NOT block the network and runs JavaScript only.
 */
export type SandboxIsolation = 'namespaces' | 'process';

export interface SandboxLimits {
  /** Wall-clock limit of one run, from spawn to exit (default 5000). */
  timeoutMs?: number;
  /** CPU seconds (RLIMIT_CPU, whole seconds; default: ceil(timeoutMs / 1000)). */
  cpuSeconds?: number;
  /** Memory for the program: V8 heap cap for JavaScript, address space for Python (default 128). */
  memoryMb?: number;
  /** Cap on stdout + stderr + the result, in bytes; the run is killed past it (default 1 MiB). */
  maxOutputBytes?: number;
  /** Size of the tmpfs work dir the program may write to, in MiB (default 16). */
  diskMb?: number;
}

export interface SandboxRunRequest extends SandboxLimits {
  language: SandboxLanguage;
  /** The program. It defines `main(input)` (or sets `module.exports` in JavaScript); its return value is the output. */
  code: string;
  /** Passed to `main` as a JSON value. */
  input?: unknown;
  /**
   * Batch mode (instead of `input`): `main` is called once per item, in one
   * process; the output is one `SandboxCaseResult` per item, so a throw fails
   * only its own item. Reflexion runs a task's test cases this way.
   */
  batch?: readonly unknown[];
}

/** One item of a batch run. */
export type SandboxCaseResult = { ok: true; output: unknown } | { ok: false; error: { name: string; message: string; stack?: string } };

export type SandboxFailureKind =
  | 'runtime_error' // the program threw (or exited non-zero)
  | 'timeout' // wall-clock limit
  | 'cpu_limit' // RLIMIT_CPU
  | 'memory_limit' // heap cap / address-space limit
  | 'output_limit' // stdout + stderr + result over the cap
  | 'no_main' // nothing to call
  | 'protocol'; // no sealed result from the runner (e.g. the program wrote its own "result" to the result channel)

export interface SandboxFailure {
  kind: SandboxFailureKind;
  message: string;
}

export interface SandboxResult {
  ok: boolean;
  /** What `main(input)` returned (JSON), or null. */
  output: unknown;
  stdout: string;
  stderr: string;
  error: SandboxFailure | null;
  durationMs: number;
  language: SandboxLanguage;
  isolation: SandboxIsolation;
  exitCode: number | null;
  signal: string | null;
}
