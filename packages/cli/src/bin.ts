#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import type { Io } from './io.js';
import { main } from './main.js';

const io: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  tty: process.stdout.isTTY === true,
  json: false,
  env: process.env,
  cwd: process.cwd(),
  async confirm(question) {
    if (!process.stdin.isTTY) return false;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  },
};

process.exitCode = await main(process.argv.slice(2), io);
