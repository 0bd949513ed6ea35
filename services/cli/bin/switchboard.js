#!/usr/bin/env node
// The CLI is TypeScript consumed as source (ADR 0001): tsx loads it.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
