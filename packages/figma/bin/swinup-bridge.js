#!/usr/bin/env node
import { main } from '../dist/bridge/cli.js';

process.exitCode = await main(process.argv.slice(2));
