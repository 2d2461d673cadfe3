/**
 * The small programs that run inside the sandbox around the user's code: they
 * read the code and the input from the work dir, call `main(input)` and write
 * `{ ok, output }` or `{ ok: false, error }` as JSON to file descriptor 3 (a
 * pipe the host reads), so the program's own stdout stays its own.
 *
 * The result channel is not secret from the program (it runs in the same
 * process); a program that writes over it only spoils its own result, which
 * the host then reports as a `protocol` failure.
 */

/** Node, CommonJS. argv[2] is the work dir. */
export const JS_RUNNER = String.raw`'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const work = process.argv[2];
function emit(obj) {
  let text;
  try { text = JSON.stringify(obj); } catch (e) { text = JSON.stringify({ ok: false, error: { name: 'TypeError', message: 'output is not JSON-serializable: ' + e.message } }); }
  if (text === undefined) text = JSON.stringify({ ok: true, output: null });
  fs.writeSync(3, text);
}
function describe(err) {
  if (err instanceof Error) {
    const code = typeof err.code === 'string' ? ' [' + err.code + ']' : '';
    return { name: err.name + code, message: err.message, stack: err.stack };
  }
  return { name: 'Error', message: String(err) };
}
function fatal(err) {
  try { emit({ ok: false, error: describe(err) }); } finally { process.exit(1); }
}
// Errors thrown from the program's callbacks or left unhandled end the run with the error as its result.
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
(async () => {
  const file = path.join(work, 'main.js');
  const code = fs.readFileSync(file, 'utf8');
  const input = JSON.parse(fs.readFileSync(path.join(work, 'input.json'), 'utf8'));
  const module = { exports: {} };
  const trailer = '\n;return typeof main === "function" ? main : (typeof module.exports === "function" ? module.exports : (module.exports && typeof module.exports.default === "function" ? module.exports.default : (module.exports && typeof module.exports.main === "function" ? module.exports.main : undefined)));';
  const load = vm.compileFunction(code + trailer, ['module', 'exports', 'require'], { filename: file });
  const fn = load(module, module.exports, require);
  if (typeof fn !== 'function') return emit({ ok: true, output: null, noMain: true });
  if (fs.existsSync(path.join(work, 'batch'))) {
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
    return emit({ ok: true, output: results });
  }
  const output = await fn(input);
  emit({ ok: true, output: output === undefined ? null : output });
})().then(
  () => process.exit(0),
  fatal,
);
`;

/** Python 3, run with -I (isolated: no PYTHON* env, no user site). argv[1] is the work dir. */
export const PY_RUNNER = String.raw`import json, os, sys, traceback
work = sys.argv[1]
def emit(obj):
    try:
        data = json.dumps(obj)
    except (TypeError, ValueError) as e:
        data = json.dumps({"ok": False, "error": {"name": "TypeError", "message": "output is not JSON-serializable: " + str(e)}})
    data = data.encode("utf-8")
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
`;
