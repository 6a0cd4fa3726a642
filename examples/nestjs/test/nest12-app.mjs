// NestJS 12 (ESM only) under runCluster, closed by closeOnStop(app). It lives in the nestjs example's
// workspace, whose node_modules hold Nest 12 (the repository root has Nest 11).
import 'reflect-metadata';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { serve } = require('../../test/fixtures/framework-harness.cjs');
const { startNest } = require('../../test/fixtures/nest-app.cjs');

serve(async (_ctx, port) => startNest(await import('@nestjs/common'), await import('@nestjs/core'), port));
