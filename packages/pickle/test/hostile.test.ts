import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CkptError, OpaqueObject } from "@ckpt/core";
import { loadTorchPickle } from "../src/torch/index.js";
import { openTorchZip } from "./helpers/zip.js";
import { glob, pk, proto2, str, tuple } from "./helpers/pickle-bytes.js";
import { FIXTURES } from "./helpers/fixtures.js";

const BAD = `${FIXTURES}/bad`;
const MARKER = "ckpt-pwned-marker";
const repoRoot = join(process.cwd(), "../..");

interface Expectation {
  code: string;
  pattern: RegExp;
}

const EXPECT: Record<string, Expectation> = {
  "malicious_system.pt": { code: "UNSAFE", pattern: /^malicious_system\.pt: pickle refers to posix\.system, which ckpt will not run \(allow it as data with --allow-global posix\.system\)$/ },
  "malicious_eval.pt": { code: "UNSAFE", pattern: /pickle refers to builtins\.eval, which ckpt will not run/ },
  "malicious_popen.pt": { code: "UNSAFE", pattern: /pickle refers to subprocess\.Popen, which ckpt will not run/ },
  "billion_laughs.pt": { code: "LIMIT", pattern: /expands to more than 10000000 values through shared references/ },
  "deep_nesting.pt": { code: "LIMIT", pattern: /nests containers more than 1000 levels deep/ },
  "missing_storage.pt": { code: "CORRUPT", pattern: /refers to storage 0, which the file does not hold/ },
  "storage_too_small.pt": { code: "CORRUPT", pattern: /tensor of 100 elements reaches element 99 of torch storage 0, which holds 4 elements/ },
};

for (const [file, expected] of Object.entries(EXPECT)) {
  test(`bad/${file} is refused with ${expected.code}, in under a second, running nothing`, async () => {
    const zip = await openTorchZip(join(BAD, file));
    try {
      const started = performance.now();
      assert.throws(
        () => loadTorchPickle(zip.pickle, { storage: zip.storage, fileName: file }),
        (error: unknown) => {
          assert.ok(error instanceof CkptError, String(error));
          assert.equal(error.code, expected.code, error.message);
          assert.match(error.message, expected.pattern);
          assert.ok(!error.message.includes("\n"), "one-line message");
          return true;
        },
      );
      assert.ok(performance.now() - started < 1000, "took a second or more");
    } finally {
      await zip.close();
    }
  });
}

test("hostile globals are refused by name wherever they appear", () => {
  const cases: [Uint8Array, string][] = [
    [proto2(glob("os", "system"), str("id"), "\x85R"), "os.system"],
    [proto2(glob("nt", "system"), str("id"), "\x85R"), "nt.system"],
    [proto2(glob("builtins", "exec"), str("1"), "\x85R"), "builtins.exec"],
    [proto2(glob("__builtin__", "getattr"), tuple(glob("os", "system")), "R"), "__builtin__.getattr"],
    [pk("\x80\x04", "\x8c\x02os\x8c\x06system\x93", "."), "os.system"],
    [pk("(", str("x"), "isubprocess\ncall\n."), "subprocess.call"],
    // Mentioned, never called: still refused.
    [proto2(glob("posix", "system")), "posix.system"],
    // A known global's module does not make its siblings known.
    [proto2(glob("torch._utils", "_rebuild_qtensor")), "torch._utils._rebuild_qtensor"],
  ];
  for (const [bytes, name] of cases) {
    assert.throws(() => loadTorchPickle(bytes), (e: CkptError) => e.code === "UNSAFE" && e.message.includes(`refers to ${name},`), name);
  }
});

test("an allowed hostile global is kept as data and never called", () => {
  const root = loadTorchPickle(proto2(glob("posix", "system"), str(`touch ${MARKER}`), "\x85R"), { allowGlobals: ["posix.system"] });
  assert.deepEqual(root, new OpaqueObject("posix.system", [`touch ${MARKER}`], undefined, "reduce"));
});

after(() => {
  // The hostile pickles run `touch ckpt-pwned-marker` when executed: it must exist nowhere.
  const places = [process.cwd(), repoRoot, dirname(BAD), BAD, tmpdir(), homedir(), "/"];
  for (const place of places) assert.ok(!existsSync(join(place, MARKER)), `${MARKER} found in ${place}`);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === ".git") continue;
      assert.notEqual(entry.name, MARKER, `${MARKER} found in ${dir}`);
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  walk(repoRoot);
});
