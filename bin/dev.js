#!/usr/bin/env -S node --import tsx
// Development entry: runs the TypeScript sources through tsx (oclif uses dist/ when a manifest exists).
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
