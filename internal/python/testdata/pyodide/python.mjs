// python.mjs runs a Python script under Pyodide, the CPython interpreter
// compiled to WebAssembly and published on the npm registry. pyrace's tests
// use it as a CPython 3.14 whose `ast` module they can compare with, on
// machines that have no native 3.14.
//
//   PYRACE_PYODIDE=/path/to/node_modules/pyodide node python.mjs SCRIPT [ARG...]
//
// The host file system is mounted at /host inside the interpreter, and the
// environment variable PYRACE_HOST_ROOT=/host tells scripts to prefix host
// paths with it. Standard input, output and error are the process's own,
// unbuffered, so a script can stream.
import { readSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.PYRACE_PYODIDE;
if (!dir) {
  console.error("python.mjs: set PYRACE_PYODIDE to the directory of the pyodide npm package");
  process.exit(2);
}
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: python.mjs SCRIPT [ARG...]");
  process.exit(2);
}

const { loadPyodide } = await import(pathToFileURL(join(dir, "pyodide.mjs")).href);
const py = await loadPyodide({ env: { PYRACE_HOST_ROOT: "/host", PYTHONHASHSEED: "0" } });
// Node.js may hand us non-blocking pipes: reads and writes that would block
// throw EAGAIN, and must be retried (a short sleep) rather than taken for
// end of file or a failed write.
const pause = new Int32Array(new SharedArrayBuffer(4));
const retrying = (op) => {
  for (;;) {
    try {
      return op();
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
};
const device = (fd) => ({
  write(buf) {
    let n = 0;
    while (n < buf.length) n += retrying(() => writeSync(fd, buf, n, buf.length - n));
    return buf.length;
  },
});
py.setStdout(device(1));
py.setStderr(device(2));
py.setStdin({
  read(buf) {
    try {
      return retrying(() => readSync(0, buf, 0, buf.length, null));
    } catch (e) {
      if (e.code === "EOF") return 0;
      throw e;
    }
  },
});
py.FS.mkdirTree("/host");
py.FS.mount(py.FS.filesystems.NODEFS, { root: "/" }, "/host");

const hostScript = "/host" + resolve(script);
const code = `
import runpy, sys
sys.argv = ${JSON.stringify([resolve(script), ...args])}
try:
    runpy.run_path(${JSON.stringify(hostScript)}, run_name="__main__")
    status = 0
except SystemExit as e:
    status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
sys.stdout.flush()
sys.stderr.flush()
status
`;
let status = 1;
try {
  status = py.runPython(code);
} catch (e) {
  console.error(String(e));
}
process.exit(status);
