#!/usr/bin/env node
// Thin launcher kept in git (not built) so package managers can link it before the first build.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
