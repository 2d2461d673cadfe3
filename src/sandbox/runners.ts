/**
 * The small programs that run inside the sandbox around the user's code: they
 * read the code and the input from the work dir, call `main(input)` and write
 * `{ ok, output }` or `{ ok: false, error }` as JSON to file descriptor 3 (a
 * pipe the host reads), so the program's own stdout stays its own.
 *
 * The result is sealed: the host writes a fresh random seal to the runner's
 * stdin, the runner reads it and closes stdin before the program's code is
 * loaded, and prefixes its one result with it. A program that writes its own
 * "result" to fd 3 cannot know the seal, so the host reports a `protocol`
 * failure instead of its claim. The seal lives only in the runner's closure:
 * the JavaScript runner keeps from the program every way to read another
 * function's variables (heap snapshots through `v8`, the inspector, `vm`'s
 * main-context loader, `module` and file modules, which get an unrestricted
 * dynamic import) and calls only functions it captured before the program
 * could replace them. The Python runner closes what stays open to a program
 * without breaking the standard library (gc walks, ctypes, trace hooks,
 * frames of tracebacks and generators), but CPython cannot hide a caller's
 * frame from sys._getframe, so there a program that goes looking for the seal
 * can find it. Either way the verdict's other half, how the process ended
 * (exit code, signal, limits), is the kernel's, read by the host.
 */

/** Node, CommonJS. argv[2] is the work dir; the seal arrives on stdin. */
export const JS_RUNNER = String.raw`'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const work = process.argv[2];
// Captured before the program loads: it may replace any of these on their objects.
const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const apply = Reflect.apply;
const reallyExit = process.reallyExit.bind(process);
const isBuiltin = Module.isBuiltin;
const seal = fs.readFileSync(0, 'utf8');
fs.closeSync(0);
let sent = false;
function emit(obj) {
  if (sent) return;
  sent = true;
  let text;
  try { text = stringify(obj); } catch (e) { text = stringify({ ok: false, error: { name: 'TypeError', message: 'output is not JSON-serializable: ' + e.message } }); }
  if (typeof text !== 'string') text = stringify({ ok: true, output: null });
  writeSync(3, seal + '\n' + text);
}
function finish(obj, code) {
  emit(obj);
  reallyExit(code);
}
function describe(err) {
  if (err instanceof Error) {
    const code = typeof err.code === 'string' ? ' [' + err.code + ']' : '';
    return { name: err.name + code, message: err.message, stack: err.stack };
  }
  return { name: 'Error', message: String(err) };
}
function fatal(err) {
  let error;
  try { error = describe(err); } catch { error = { name: 'Error', message: 'the program threw something that cannot be described' }; }
  finish({ ok: false, error }, 1);
}
// Output goes out as it is written, so a flood meets the host's cap (and nothing is lost at exit).
for (const stream of [process.stdout, process.stderr]) if (stream._handle && stream._handle.setBlocking) stream._handle.setBlocking(true);
// Modules that read other functions' variables (heap snapshots, the inspector) or load code with an unrestricted import.
const DENIED = new Set(['v8', 'vm', 'module', 'inspector', 'inspector/promises', 'repl', 'worker_threads', 'wasi', 'trace_events']);
function deny(request, why) {
  const err = new Error('module "' + request + '" is not available in the sandbox' + (why ? ' (' + why + ')' : ''));
  err.code = 'ERR_SANDBOX_DENIED';
  return err;
}
const load = Module._load;
Module._load = function (request) {
  if (DENIED.has(String(request).replace(/^node:/, ''))) throw deny(request);
  return apply(load, this, arguments);
};
function programRequire(request) {
  if (!isBuiltin(String(request))) throw deny(request, 'only built-in modules can be required');
  return require(request);
}
process.getBuiltinModule = programRequire;
delete process.mainModule;
// Fetch needs WebAssembly, which --jitless removes: say what is really true.
globalThis.fetch = function fetch() { const err = new TypeError('fetch failed: network is blocked in the sandbox'); err.code = 'ERR_SANDBOX_NETWORK'; return Promise.reject(err); };
// Errors thrown from the program's callbacks or left unhandled end the run with the error as its result.
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
(async () => {
  const file = path.join(work, 'main.js');
  const code = fs.readFileSync(file, 'utf8');
  const input = JSON.parse(fs.readFileSync(path.join(work, 'input.json'), 'utf8'));
  const batch = fs.existsSync(path.join(work, 'batch'));
  const module = { exports: {} };
  const trailer = '\n;return typeof main === "function" ? main : (typeof module.exports === "function" ? module.exports : (module.exports && typeof module.exports.default === "function" ? module.exports.default : (module.exports && typeof module.exports.main === "function" ? module.exports.main : undefined)));';
  const compiled = vm.compileFunction(code + trailer, ['module', 'exports', 'require'], { filename: file });
  const fn = compiled(module, module.exports, programRequire);
  if (typeof fn !== 'function') return finish({ ok: true, output: null, noMain: true }, 0);
  if (batch) {
    // Batch: input is a list; each item gets its own call, and a throw fails only that item.
    const results = [];
    for (const item of input) {
      try {
        const output = await fn(item);
        results.push({ ok: true, output: output === undefined ? null : output });
      } catch (err) {
        results.push({ ok: false, error: describe(err) });
      }
    }
    return finish({ ok: true, output: results }, 0);
  }
  const output = await fn(input);
  finish({ ok: true, output: output === undefined ? null : output }, 0);
})().then(undefined, fatal);
`;

/** Python 3, run with -I (isolated: no PYTHON* env, no user site). argv[1] is the work dir; the seal arrives on stdin. */
export const PY_RUNNER = String.raw`import json, os, sys, traceback
def _run():
    # The seal is a local of this function, never a module global the program could look up by name.
    seal = b""
    while True:
        chunk = os.read(0, 256)
        if not chunk:
            break
        seal += chunk
    os.close(0)
    work = sys.argv[1]
    sent = []
    def emit(obj):
        if sent:
            return
        sent.append(True)
        try:
            data = json.dumps(obj)
        except (TypeError, ValueError) as e:
            data = json.dumps({"ok": False, "error": {"name": "TypeError", "message": "output is not JSON-serializable: " + str(e)}})
        data = seal + b"\n" + data.encode("utf-8")
        while data:
            n = os.write(3, data)
            data = data[n:]
    code = 0
    try:
        with open(os.path.join(work, "main.py"), encoding="utf-8") as f:
            src = f.read()
        with open(os.path.join(work, "input.json"), encoding="utf-8") as f:
            value = json.load(f)
        scope = {"__name__": "__sandbox__"}
        exec(compile(src, os.path.join(work, "main.py"), "exec"), scope)
        fn = scope.get("main")
        if callable(fn) and os.path.exists(os.path.join(work, "batch")):
            # Batch: input is a list; each item gets its own call, and an exception fails only that item.
            results = []
            for item in value:
                try:
                    results.append({"ok": True, "output": fn(item)})
                except MemoryError:
                    raise
                except Exception as e:
                    stack = "".join(traceback.format_exception(type(e), e, e.__traceback__.tb_next if e.__traceback__ else None))
                    results.append({"ok": False, "error": {"name": type(e).__name__, "message": str(e), "stack": stack}})
            emit({"ok": True, "output": results})
        elif callable(fn):
            emit({"ok": True, "output": fn(value)})
        else:
            emit({"ok": True, "output": None, "noMain": True})
    except MemoryError:
        emit({"ok": False, "error": {"name": "MemoryError", "message": "out of memory"}})
        code = 1
    except BaseException as e:
        # Skip the runner's own frame: the trace starts in the program.
        stack = "".join(traceback.format_exception(type(e), e, e.__traceback__.tb_next if e.__traceback__ else None))
        emit({"ok": False, "error": {"name": type(e).__name__, "message": str(e), "stack": stack}})
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
_run()
`;
