#!/usr/bin/env node
// Writes samples/brain_sample.thalia: a small DynamicBrain (schema v2) state with seeded
// random weights, through ckpt's Thalia writer (byte-compatible with Thalia's own).
// Run after `pnpm build`; the committed sample was made with this script.
import { writeFileSync } from "node:fs";
import { Tensor } from "@ckpt/core";
import thalia from "@ckpt/format-thalia";

let seed = 20261203;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const f32 = (shape, make) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromBytes("f32", shape, new Uint8Array(Float32Array.from({ length: n }, make).buffer));
};
const sparseWeights = (rows, cols) => f32([rows, cols], () => (random() < 0.08 ? normal() * 0.1 : 0));
const region = (type, n, nIn, sources) => new Map([
  ["type", type], ["n_neurons", BigInt(n)], ["n_input", BigInt(nIn)], ["n_output", BigInt(n)],
  ["device", "cpu"], ["dt_ms", 1.0], ["default_learning_rule", "stdp"], ["input_sources", sources],
  ["synaptic_weights", new Map(sources.map((s) => [s, sparseWeights(n, nIn)]))],
  ["plasticity_enabled", true],
  ["neuron_state", new Map([
    ["membrane", f32([n], () => -65 + normal() * 2)],
    ["spikes", Tensor.fromBytes("bool", [n], Uint8Array.from({ length: n }, () => (random() < 0.05 ? 1 : 0)))],
    ["g_exc", f32([n], () => Math.abs(normal()) * 0.01)],
    ["v_thresh", f32([n], () => -50)],
  ])],
  ["learning_state", new Map([["eligibility_trace", f32([n, 8], () => normal() * 0.01)], ["bcm_theta", f32([n], () => 0.5)]])],
]);

const root = new Map([
  ["metadata", new Map([["experiment", "ckpt-sample"], ["epoch", 12n], ["loss", 0.137], ["thalia_version", "0.2.0"], ["timestamp", "2026-12-03T12:00:00"]])],
  ["regions", new Map([
    ["thalamus", region("Thalamus", 48, 32, ["input"])],
    ["cortex", region("LayeredCortex", 96, 48, ["thalamus"])],
    ["hippocampus", region("TrisynapticHippocampus", 64, 96, ["cortex"])],
    ["pfc", region("PrefrontalCortex", 48, 96, ["cortex"])],
  ])],
  ["pathways", new Map([["cortex_to_hippocampus", new Map([["weights", new Map([["main", sparseWeights(64, 96)]])], ["delay_ms", 2.0]])]])],
  ["global_config", new Map([["device", "cpu"], ["dt_ms", 1.0], ["seed", 7n]])],
  ["current_time", 4321.5],
  ["oscillators", new Map([["theta", new Map([["frequency_hz", 8.0], ["phase", 0.25]])], ["gamma", new Map([["frequency_hz", 40.0], ["phase", 1.0]])]])],
  ["neuromodulators", new Map([["vta", new Map([["tonic_dopamine", 0.05], ["phasic_dopamine", 0.0]])]])],
  ["config", new Map([["input_size", 32n], ["cortex_size", 96n]])],
  ["training_steps", 12000n],
]);

const chunks = [];
for await (const chunk of thalia.encode({ root }, { name: "sample", options: {}, reporter: { progress() {}, warn() {}, lossy() {} } })) chunks.push(chunk);
writeFileSync(new URL("../samples/brain_sample.thalia", import.meta.url), Buffer.concat(chunks));
