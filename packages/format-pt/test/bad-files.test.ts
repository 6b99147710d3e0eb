import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CkptError, readManifest, validate } from "@ckpt/core";
import { FIXTURES, bad, expectation, registry } from "./helpers.js";

const files = readdirSync(join(FIXTURES, "bad")).filter((f) => f.endsWith(".pt"));

const PROBLEM: Record<string, { code: string; message: RegExp }> = {
  "malicious_system.pt": { code: "UNSAFE", message: /posix\.system/ },
  "malicious_eval.pt": { code: "UNSAFE", message: /builtins\.eval/ },
  "malicious_popen.pt": { code: "UNSAFE", message: /subprocess\.Popen/ },
  "billion_laughs.pt": { code: "LIMIT", message: /shared references/ },
  "deep_nesting.pt": { code: "LIMIT", message: /nest/ },
  "missing_storage.pt": { code: "CORRUPT", message: /storage/ },
  "storage_too_small.pt": { code: "CORRUPT", message: /storage|bytes/ },
  "truncated.pt": { code: "CORRUPT", message: /zip|truncat|end/i },
  "not_a_checkpoint.pt": { code: "CORRUPT", message: /not a PyTorch checkpoint/ },
};

for (const name of files) {
  test(`bad/${name}: one line naming the problem, under a second, nothing executed`, async () => {
    const path = bad(name);
    assert.equal(expectation(path).get("expect_error"), true);
    const started = performance.now();
    await assert.rejects(readManifest(path, { registry: registry() }), (error: CkptError) => {
      assert.ok(error instanceof CkptError, String(error));
      assert.ok(error.message.startsWith(path), error.message);
      assert.ok(!error.message.includes("\n"), "one line");
      const want = PROBLEM[name];
      if (want) {
        assert.equal(error.code, want.code, error.message);
        assert.match(error.message, want.message);
      }
      return true;
    });
    assert.ok(performance.now() - started < 1000, "under a second");
    assert.equal((await validate(path, { registry: registry() })).valid, false);
    assert.ok(!existsSync("ckpt-pwned-marker") && !existsSync(join(FIXTURES, "..", "ckpt-pwned-marker")));
  });
}

test("an allowed global is kept as data and never called", async () => {
  const manifest = await readManifest(bad("malicious_system.pt"), { registry: registry(), readOptions: { allowGlobals: ["posix.system"] } });
  assert.match(JSON.stringify([...(manifest.tree as Map<string, unknown>).keys()]), /./);
  assert.ok(!existsSync("ckpt-pwned-marker"));
});
